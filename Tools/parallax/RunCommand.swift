import ArgumentParser
import Foundation
import Parallax

/// `parallax run`: stereo VO over a dataset, outputs written incrementally, evaluated when
/// ground truth exists.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run stereo visual odometry on a dataset and write its trajectory, uncertainty and statistics."
    )

    @Option(help: "Dataset layout: kitti, tartanair, euroc or generic.")
    var dataset: String

    @Argument(help: "Dataset path.")
    var path: String

    @Option(help: "KITTI sequence number.")
    var sequence: String = "00"

    @Option(help: "Output folder (created if needed).")
    var out: String

    @Option(help: "YAML configuration file (keys as in a run's config.yaml; see README).")
    var config: String?

    @Option(parsing: .unconditional, help: "Process at most this many frames.")
    var frames: Int?

    @Option(help: "Residual weighting: full, diagonal or identity (overrides the config file).")
    var weighting: String?

    @Option(help: "Pose residual: reprojection or pointToPoint (overrides the config file).")
    var residual: String?

    @Flag(help: "Disable the covariance-aware keypoint selector (plain grid).")
    var noSelector = false

    @Option(help: "Loop closure: on (default; writes trajectory_corrected_*.txt and loops.csv) or off (overrides the config file).")
    var loopClosure: String?

    @Option(help: ArgumentHelp("Place-recognition words: first-use (default: a vocabulary trained on the run's first keyframes), hashed (no training), or a vocabulary file written by `parallax vocab` (overrides the config file).", valueName: "first-use|hashed|FILE"))
    var vocabulary: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Replace an earlier run's outputs in --out (otherwise a folder holding them is refused).")
    var overwrite = false

    @Flag(help: "Write map.ply as ASCII PLY (default: binary little-endian).")
    var mapAscii = false

    func run() throws {
        if let frames, frames <= 0 { throw ValidationError("--frames must be positive (got \(frames))") }
        guard loopClosure == nil || loopClosure == "on" || loopClosure == "off" else { throw ValidationError("--loop-closure must be on or off") }
        guard let kind = DatasetKind(rawValue: dataset.lowercased()) else {
            throw ValidationError("unknown dataset layout '\(dataset)' (expected kitti, tartanair, euroc or generic)")
        }
        let ds: any StereoDataset
        ds = try openDataset(kind, URL(fileURLWithPath: path), sequence: sequence)
        var cfg = try pipelineConfig(file: config)
        if let weighting {
            guard let w = WeightingMode(rawValue: weighting) else { throw ValidationError("unknown weighting '\(weighting)'") }
            cfg.odometry.weighting = w
        }
        if let residual {
            guard let r = ResidualKind(rawValue: residual) else { throw ValidationError("unknown residual '\(residual)'") }
            cfg.odometry.residual = r
        }
        if noSelector { cfg.odometry.selectorEnabled = false }
        if let loopClosure { cfg.loopClosureEnabled = loopClosure == "on" }
        if let vocabulary { cfg.vocabulary = vocabulary }
        let count = min(frames ?? ds.frameCount, ds.frameCount)
        guard count > 0 else { throw ValidationError("--frames must be positive") }

        let folder = URL(fileURLWithPath: out)
        let summary = try runOdometry(on: ds, frames: count, config: cfg, out: folder, overwrite: overwrite, quiet: quiet,
                                      byTime: kind == .euroc, mapASCII: mapAscii)
        if let signal = summary.signal {
            throw exitInterrupted(by: signal, frames: summary.frames, of: count, outputs: folder)
        }
    }
}

/// The configuration of a `--config` file (the defaults without one).
func pipelineConfig(file: String?) throws -> PipelineConfig {
    guard let file else { return PipelineConfig() }
    do { return try PipelineConfig(yaml: file) } catch { throw CLIError(error.description) }
}

/// Runs the pipeline over the first `count` frames of a dataset, writes the outputs
/// incrementally to `outDir` and evaluates against ground truth when there is some (associating
/// by time when `byTime`). Shared by `run` and `demo`. Returns the summary.
@discardableResult
func runOdometry(on ds: any StereoDataset, frames count: Int, config cfg: PipelineConfig, out outDir: URL,
                 overwrite: Bool, quiet: Bool, byTime: Bool, mapASCII: Bool = false, announceOutputs: Bool = true) throws -> RunSummary {
    let pipeline: StereoPipeline
    do { pipeline = try StereoPipeline(camera: ds.camera, config: cfg) } catch { throw CLIError(error.description) }
    let writer = try RunWriter(folder: outDir, camera: ds.camera, toSensor: ds.cameraToGroundTruthSensor, overwrite: overwrite)
    try writer.writeConfiguration(cfg)
    let interrupt = InterruptFlag()
    let start = Date()
    var results: [FrameResult] = []
    var lost = 0
    try drive(pipeline, over: ds, frames: count, quiet: quiet, stop: { interrupt.isSet }) { f in
        if f.state == .lost { lost += 1 }
        results.append(f.odometry)
        try writer.append(f.odometry, pipelineMs: f.milliseconds)
    }
    let elapsed = Date().timeIntervalSince(start)
    let final: PipelineResult
    do { final = try pipeline.finish() } catch { throw CLIError(error.description) }
    if pipeline.failedCorrections > 0 {
        FileHandle.standardError.write(Data("warning: \(pipeline.failedCorrections) background loop corrections failed to solve (the final one did)\n".utf8))
    }
    let live = writer.sensorTrajectory(results)
    let estimate = Trajectory(poses: final.refinedPoses.map(writer.sensorPose), timestamps: final.timestamps)
    try writer.refine(estimate)
    var summary = RunSummary(dataset: ds.name, frames: results.count, requestedFrames: count, interrupted: interrupt.isSet,
                             lostFrames: lost, keyframes: results.filter { $0.state == .keyframe }.count,
                             seconds: elapsed, fps: Double(results.count) / max(elapsed, 1e-9),
                             medianFrameMs: median(results.map(\.stats.totalMs)), configuration: cfg.summary,
                             pathLength: estimate.pathLength)
    summary.signal = interrupt.received
    print("\(ds.name): \(results.count) frames in \(String(format: "%.2f", elapsed)) s (\(String(format: "%.1f", summary.fps)) FPS), \(lost) lost, \(summary.keyframes) keyframes")
    if let gt = ds.groundTruth {
        do {
            summary.evaluation = try RunEvaluation.evaluate(estimate: estimate, groundTruth: gt, byTime: byTime)
            summary.liveEvaluation = try RunEvaluation.evaluate(estimate: live, groundTruth: gt, byTime: byTime)
        } catch {
            // A trajectory that cannot be aligned (e.g. a straight line) is still a valid run.
            FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
        }
        if !byTime {
            let n = min(gt.count, results.count)
            try? TrajectoryFormat.kitti.write(gt.subset(Array(0..<n)), to: outDir.appending(.groundTruthKITTI))
        }
        if let e = summary.evaluation { print(e.text) }
        if let e = summary.liveEvaluation { print("live poses: " + e.text) }
    }
    let map = pipeline.map()
    try writer.writeMap(map, ascii: mapASCII)
    summary.mapPoints = map.points.count
    if let closer = pipeline.loopCloser, let correction = final.correction {
        let corrected = try writeLoopOutputs(closer, correction, result: final, writer: writer, folder: outDir)
        summary.loopsAccepted = correction.accepted.count
        summary.loopsRejected = correction.rejected.count
        if let gt = ds.groundTruth, let e = try? RunEvaluation.evaluate(estimate: corrected, groundTruth: gt, byTime: byTime) {
            summary.correctedEvaluation = e
            print("with loop closure: " + e.text)
        }
    }
    try writer.finish(summary)
    do { try RunReport.write(folder: outDir) } catch { throw CLIError(error.description) }
    if announceOutputs { print("outputs in \(outDir.path) (report.html: the run at a glance)") }
    return summary
}

/// Runs the pipeline over frames 0..<count of a dataset and hands each frame to `body`, with a
/// progress bar unless `quiet`; stops early when `stop` says so.
func drive(_ pipeline: StereoPipeline, over ds: any StereoDataset, frames count: Int, quiet: Bool,
           stop: () -> Bool = { false }, _ body: (PipelineFrame) throws -> Void) throws {
    let start = Date()
    var done = 0
    do {
        try pipeline.run(ds, frames: 0..<count, stop: stop) { f in
            try body(f)
            done += 1
            if !quiet { progressBar(done: done, total: count, since: start) }
        }
    } catch let e as PipelineError { throw CLIError(e.description) }
    if !quiet { progressDone() }
}

/// Median of a list (0 when empty).
func median(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return 0 }
    let s = x.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Progress bar with frame count, FPS and ETA on stderr.
func progressBar(done: Int, total: Int, since start: Date) {
    let elapsed = Date().timeIntervalSince(start)
    let fps = Double(done) / max(elapsed, 1e-9)
    let eta = Double(total - done) / max(fps, 1e-9)
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    progress(String(format: "%@ %d/%d  %.1f FPS  ETA %.0f s", bar, done, total, fps, eta))
}

/// Set by SIGINT (Ctrl-C) or SIGTERM so that a run stops after the current frame with valid
/// outputs; a second signal ends the process at once (the default action is restored).
final class InterruptFlag: @unchecked Sendable {
    nonisolated(unsafe) private static var received: sig_atomic_t = 0
    init() {
        // A launcher may start us with these signals blocked (the mask is inherited across
        // exec), which would leave a stop request pending until the run ends.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM] {
            signal(s) { sig in
                InterruptFlag.received = sig
                signal(sig, SIG_DFL)
            }
        }
    }
    var isSet: Bool { InterruptFlag.received != 0 }
    /// The signal received, if any.
    var received: Int32? { isSet ? InterruptFlag.received : nil }
}

/// Says on stderr that a run was interrupted and ends the process as a shell expects of a
/// process stopped by `signal` (exit 128 + signal: 130 for SIGINT, 143 for SIGTERM).
func exitInterrupted(by signal: Int32, frames: Int, of requested: Int, outputs: URL?) -> ExitCode {
    let name = signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)"
    let where_ = outputs.map { "; the outputs in \($0.path) are valid up to there" } ?? ""
    FileHandle.standardError.write(Data("interrupted by \(name) after \(frames) of \(requested) frames\(where_)\n".utf8))
    return ExitCode(128 + signal)
}
