import ArgumentParser
import Batch
import Foundation
import Parallax

/// `parallax batch`: the runs of a manifest on this machine, N at a time, and one results table.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run every sequence of a YAML manifest (N at a time) and write results.csv, results.json and results.html.",
        discussion: """
        Each run goes into OUT/NAME/ (its config in OUT/NAME/batch-config.yaml, its log in OUT/NAME/batch.log). A run \
        that fails does not stop the others; a rerun with the same --out skips the runs that finished (--rerun runs \
        them again). The manifest format is in the README; Tools/batch/ray_batch.py runs the same manifest on a Ray cluster.
        """
    )

    @Argument(help: "The manifest (YAML).")
    var manifest: String

    @Option(help: "Output folder: one subfolder per run, and the results tables.")
    var out: String

    @Option(parsing: .unconditional, help: "Runs at a time.")
    var jobs: Int = 1

    @Flag(help: "Run again the runs that already finished in --out.")
    var rerun = false

    @Flag(help: "Run nothing: write each run's config file and print the runs (name, folder, parallax arguments) as JSON, for another executor.")
    var plan = false

    @Flag(help: "Run nothing: gather the run folders in --out into the results tables (after another executor ran them).")
    var collect = false

    @Flag(help: "No progress lines.")
    var quiet = false

    func run() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        let m: BatchManifest
        do { m = try BatchManifest(path: manifest) } catch { throw CLIError(error.description) }
        let root = URL(fileURLWithPath: out)
        let runs = try m.runs.map { run in (run, try prepare(run, in: root)) }
        if plan {
            let entries = runs.map { run, folder in
                ["name": run.name, "folder": folder.path,
                 "arguments": run.arguments(folder: folder.path, configFile: folder.appendingPathComponent("batch-config.yaml").path)] as [String: Any]
            }
            let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if !collect { execute(runs.filter { rerun || !BatchResults.finished($0.1) }, total: runs.count) }
        let results = BatchResults(manifest: m, folder: root)
        do { try results.write(to: root) } catch { throw CLIError("\(root.path): cannot write the results: \(fileErrorReason(error))") }
        let failed = results.rows.filter { $0.status != "ok" }
        print("batch: \(results.rows.count - failed.count) of \(results.rows.count) runs ok; results in \(root.path)/results.{csv,json,html}")
        for r in failed { FileHandle.standardError.write(Data("batch: \(r.name) failed: \(r.error ?? "exit \(r.exitStatus ?? -1)")\n".utf8)) }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// Creates the run's folder and writes its configuration file.
    private func prepare(_ run: BatchManifest.Run, in root: URL) throws -> URL {
        let folder = root.appendingPathComponent(run.name)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(run.configYAML.utf8).write(to: folder.appendingPathComponent("batch-config.yaml"), options: .atomic)
        } catch { throw CLIError("\(folder.path): cannot prepare the run folder: \(fileErrorReason(error))") }
        return folder
    }

    /// Runs `parallax run` for each pending run, `jobs` at a time, recording each outcome.
    private func execute(_ pending: [(BatchManifest.Run, URL)], total: Int) {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = jobs
        let done = Counter()
        let start = Date()
        if !quiet { FileHandle.standardError.write(Data("batch: \(pending.count) of \(total) runs to do, \(jobs) at a time\n".utf8)) }
        for (run, folder) in pending {
            // A run redone must not be taken for finished (or show old figures) if it stops early.
            for stale in [BatchResults.Outcome.file, "summary.json"] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(stale)) }
            queue.addOperation {
                let outcome = Self.launch(executable, run.arguments(folder: folder.path, configFile: folder.appendingPathComponent("batch-config.yaml").path),
                                          log: folder.appendingPathComponent("batch.log"))
                if let data = try? JSONEncoder().encode(outcome) {
                    try? data.write(to: folder.appendingPathComponent(BatchResults.Outcome.file), options: .atomic)
                }
                let n = done.increment()
                if !quiet {
                    let elapsed = Date().timeIntervalSince(start), eta = elapsed / Double(n) * Double(pending.count - n)
                    let line = String(format: "batch: %d/%d %@ %@ (%.0f s, ETA %.0f s)\n", n, pending.count, run.name,
                                      outcome.exitStatus == 0 ? "ok" : "failed", elapsed, eta)
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
        }
        queue.waitUntilAllOperationsAreFinished()
    }

    /// Runs one `parallax run`, its output in `log`; the outcome has the last error line.
    private static func launch(_ executable: URL, _ arguments: [String], log: URL) -> BatchResults.Outcome {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = FileHandle(forWritingAtPath: log.path)
        p.standardOutput = handle ?? FileHandle.nullDevice
        p.standardError = handle ?? FileHandle.nullDevice
        do { try p.run() } catch { return .init(exitStatus: 127, error: "cannot start \(executable.path): \(error.localizedDescription)") }
        p.waitUntilExit()
        try? handle?.close()
        let status = Int(p.terminationStatus)
        guard status != 0 else { return .init(exitStatus: 0, error: nil) }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let last = text.split(separator: "\n").last { $0.contains("rror") || $0.contains(":") }.map(String.init)
        return .init(exitStatus: status, error: last ?? "exit status \(status)")
    }
}

/// A thread-safe count of finished runs.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
