import ArgumentParser
import Foundation
import Parallax

/// `parallax synth`: renders a synthetic stereo sequence with exact ground truth into a dataset
/// layout that the readers load (KITTI odometry, TartanAir v1, EuRoC).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Render a synthetic stereo sequence with exact ground truth (poses, depth, disparity, revisits).",
        discussion: """
        Example: parallax synth --world canyon --trajectory loop --frames 300 --format kitti --out DIR
        writes DIR/sequences/00/{image_0,image_1,depth_0,disp_0,calib.txt,times.txt,revisits.txt} and
        DIR/poses/00.txt. The same --seed gives byte-identical output.
        """
    )

    @Option(help: "World: \(WorldKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var world: String = "canyon"

    @Option(help: "Camera path: \(TrajectoryKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var trajectory: String = "loop"

    @Option(parsing: .unconditional, help: "Number of stereo frames.")
    var frames: Int = 300

    @Option(help: "Output layout: \(SyntheticLayout.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String = "kitti"

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Camera: vga (640×480), kitti (1226×370) or tartanair (default: tartanair for --format tartanair, else vga).")
    var camera: String?

    @Option(parsing: .unconditional, help: "Frames per second.")
    var fps: Double = 10

    @Option(parsing: .unconditional, help: "Speed, m/s (a loop or figure eight is stretched to speed × duration).")
    var speed: Double = 5

    @Option(parsing: .unconditional, help: "Laps of a loop or figure eight (later laps revisit the first).")
    var laps: Int = 1

    @Option(parsing: .unconditional, help: "Random seed: fixes the world, textures, shake and noise.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Sensor noise, grey levels (standard deviation).")
    var noise: Double = 1

    @Option(parsing: .unconditional, help: "Exposure change: each frame's gain is drawn from [1 − c, 1 + c].")
    var exposure: Double = 0

    @Option(parsing: .unconditional, help: "Motion blur: shutter open for this fraction of the frame interval (0 = none).")
    var shutter: Double = 0

    @Option(help: "KITTI sequence name.")
    var sequence: String = "00"

    @Flag(help: "Do not write depth and disparity maps.")
    var noDepth = false

    @Flag(help: "No progress line.")
    var quiet = false

    func run() throws {
        guard let w = WorldKind(rawValue: world) else { throw ValidationError("unknown world '\(world)'") }
        guard let t = TrajectoryKind(rawValue: trajectory) else { throw ValidationError("unknown trajectory '\(trajectory)'") }
        guard let layout = SyntheticLayout(rawValue: format) else { throw ValidationError("unknown format '\(format)'") }
        let presetName = camera ?? (layout == .tartanair ? "tartanair" : "vga")
        guard let preset = CameraPreset(rawValue: presetName) else { throw ValidationError("unknown camera '\(presetName)'") }
        let start = Date()
        do {
            let seq = try SyntheticSequence(world: w, trajectory: t, camera: preset.camera, frames: frames, fps: fps, speed: speed, laps: laps,
                                            seed: seed, sensor: SensorModel(noise: noise, exposureChange: exposure, shutter: shutter))
            if let w = seq.speedWarning { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            var writer = try SequenceWriter(sequence: seq, layout: layout, root: URL(fileURLWithPath: out))
            writer.sequenceName = sequence
            writer.writeDepth = !noDepth
            try writer.write { i in if !quiet { progressBar(done: i + 1, total: frames, since: start) } }
            if !quiet { progressDone() }
            let length = seq.groundTruth?.pathLength ?? 0
            print(String(format: "wrote %d frames (%@ %@, %.1f m, %d true revisits) to %@ in %.1f s", frames, w.rawValue, t.rawValue,
                         length, seq.revisits().count, out, Date().timeIntervalSince(start)))
        } catch { throw CLIError(error.description) }
    }
}
