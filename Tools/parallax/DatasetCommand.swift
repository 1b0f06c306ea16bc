import ArgumentParser
import Foundation
import Parallax

/// `parallax dataset`: opens a sequence through the readers, prints what it holds, and decodes
/// every frame (rectifying where needed) to check it and to time image I/O.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect a stereo sequence: calibration, frames, ground truth; decode every frame."
    )

    @Argument(help: "Layout: kitti, tartanair, euroc or generic.")
    var kind: String

    @Argument(help: "Dataset path (KITTI: the folder holding sequences/; EuRoC: the folder holding mav0/).")
    var path: String

    @Option(help: "KITTI sequence number.")
    var sequence: String = "00"

    @Flag(help: "Only print the summary; do not decode the frames.")
    var noDecode = false

    @Flag(help: "No progress line.")
    var quiet = false

    func run() throws {
        guard let k = DatasetKind(rawValue: kind.lowercased()) else {
            throw ValidationError("unknown dataset layout '\(kind)' (expected kitti, tartanair, euroc or generic)")
        }
        let ds: any StereoDataset
        ds = try openDataset(k, URL(fileURLWithPath: path), sequence: sequence)
        print("dataset      \(ds.name)")
        print("frames       \(ds.frameCount)")
        print("camera       \(ds.camera)")
        if let t0 = ds.timestamps.first, let t1 = ds.timestamps.last {
            print(String(format: "time         %.3f s … %.3f s", t0, t1))
        }
        if let gt = ds.groundTruth {
            print(String(format: "ground truth %d poses, path length %.3f m (%@ format)", gt.count, gt.pathLength, ds.groundTruthFormat.rawValue))
        } else {
            print("ground truth none")
        }
        guard !noDecode else { return }
        let start = Date()
        let frames = FramePrefetcher(dataset: ds, depth: 4)
        var n = 0
        do {
            while try frames.next() != nil {
                n += 1
                if !quiet, n % 10 == 0 || n == ds.frameCount { progress("decoded \(n)/\(ds.frameCount)") }
            }
        } catch { throw CLIError(error.description) }
        let dt = Date().timeIntervalSince(start)
        if !quiet { progressDone() }
        print(String(format: "decoded      %d stereo frames in %.3f s (%.2f ms/frame)", n, dt, dt * 1000 / Double(max(n, 1))))
    }
}

/// An error whose message is printed as is, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Whether stderr is a terminal: progress lines are drawn only there (in a log file or a pipe
/// they would be carriage returns and escape codes).
let stderrIsTerminal = isatty(STDERR_FILENO) != 0

/// Rewrites one progress line on stderr, when stderr is a terminal.
func progress(_ text: String) {
    guard stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
}

/// Ends a progress line.
func progressDone() {
    guard stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
}

/// Opens a dataset, printing what opening it noticed (frames left out, …) on stderr.
func openDataset(_ kind: DatasetKind, _ path: URL, sequence: String) throws -> any StereoDataset {
    let ds: any StereoDataset
    do { ds = try kind.open(path, sequence: sequence) } catch { throw CLIError(error.description) }
    for w in ds.warnings { FileHandle.standardError.write(Data("warning: \(printableText("\(ds.name): \(w)"))\n".utf8)) }
    return ds
}
