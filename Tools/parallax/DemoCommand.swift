import ArgumentParser
import Foundation
import Parallax

/// `parallax demo`: renders a synthetic stereo sequence on the fly (no download), runs the VO on
/// it and prints its accuracy against the exact ground truth.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the VO on a synthetic sequence rendered on the fly and print its accuracy."
    )

    @Option(help: "World: \(WorldKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var world: String = "canyon"

    @Option(help: "Camera path: \(TrajectoryKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var trajectory: String = "loop"

    @Option(parsing: .unconditional, help: "Number of stereo frames.")
    var frames: Int = 200

    @Option(parsing: .unconditional, help: "Speed, m/s.")
    var speed: Double = 5

    @Option(parsing: .unconditional, help: "Laps of a loop or figure eight (later laps revisit the first).")
    var laps: Int = 1

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Output folder for the run's files (default: a temporary folder, removed afterwards).")
    var out: String?

    @Option(help: "YAML configuration file (keys as in a run's config.yaml; see README).")
    var config: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Replace an earlier run's outputs in --out (otherwise a folder holding them is refused).")
    var overwrite = false

    func run() throws {
        guard let w = WorldKind(rawValue: world) else { throw ValidationError("unknown world '\(world)'") }
        guard let t = TrajectoryKind(rawValue: trajectory) else { throw ValidationError("unknown trajectory '\(trajectory)'") }
        guard frames > 1 else { throw ValidationError("--frames must be at least 2") }
        let seq: SyntheticSequence
        do {
            seq = try SyntheticSequence(world: w, trajectory: t, camera: CameraPreset.vga.camera, frames: frames, speed: speed, laps: laps, seed: seed)
        } catch { throw CLIError(error.description) }
        if let w = seq.speedWarning { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        print(String(format: "synthetic %@ %@: %d frames, %.1f m, 640×480 rendered on the fly", w.rawValue, t.rawValue,
                     frames, seq.groundTruth?.pathLength ?? 0))
        let folder = out.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("parallax-demo-\(UUID().uuidString)")
        defer { if out == nil { try? FileManager.default.removeItem(at: folder) } }
        let summary = try runOdometry(on: seq, frames: frames, config: try pipelineConfig(file: config), out: folder, overwrite: overwrite,
                                      quiet: quiet, byTime: false, announceOutputs: out != nil)
        if let signal = summary.signal {
            throw exitInterrupted(by: signal, frames: summary.frames, of: frames, outputs: out.map { _ in folder })
        }
    }
}
