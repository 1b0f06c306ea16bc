import Evaluation
import Foundation
import Trajectories

/// A run's summary, as `parallax run` writes it to summary.json and batches read it back.
public struct RunSummary: Codable, Sendable {
    public var dataset: String
    public var frames: Int
    public var requestedFrames: Int
    public var interrupted: Bool
    public var lostFrames: Int
    public var keyframes: Int
    public var seconds: Double
    public var fps: Double
    public var medianFrameMs: Double
    public var configuration: [String: String]
    public var pathLength: Double
    /// The evaluation of the odometry's refined trajectory (`trajectory_kitti.txt` at the end of the
    /// run: every frame moved with its keyframe's final pose), and of its live poses
    /// (`trajectory_live_kitti.txt`: each frame as the odometry first reported it).
    public var evaluation: RunEvaluation?
    public var liveEvaluation: RunEvaluation?
    public var loopsAccepted: Int?
    public var loopsRejected: Int?
    /// The evaluation of the loop-closed trajectory.
    public var correctedEvaluation: RunEvaluation?
    /// The signal that interrupted the run (2 SIGINT, 15 SIGTERM), if one did.
    public var signal: Int32?
    /// Points in map.ply.
    public var mapPoints: Int?

    public init(dataset: String, frames: Int, requestedFrames: Int, interrupted: Bool, lostFrames: Int, keyframes: Int,
                seconds: Double, fps: Double, medianFrameMs: Double, configuration: [String: String], pathLength: Double) {
        self.dataset = dataset; self.frames = frames; self.requestedFrames = requestedFrames; self.interrupted = interrupted
        self.lostFrames = lostFrames; self.keyframes = keyframes; self.seconds = seconds; self.fps = fps
        self.medianFrameMs = medianFrameMs; self.configuration = configuration; self.pathLength = pathLength
    }
}

/// Accuracy of a run against ground truth, computed with the Evaluation module (evo semantics).
public struct RunEvaluation: Codable, Sendable {
    public var pairs: Int
    public var groundTruthLength: Double
    /// APE translation RMSE after SE(3) Umeyama alignment, metres.
    public var ateRMSE: Double
    public var atePercentOfPath: Double
    /// RPE translation RMSE for consecutive frames, metres.
    public var rpeRMSE: Double
    /// KITTI devkit t_err (%) and r_err (deg/100 m), when the path is long enough for 100 m segments.
    public var kittiTranslationPercent: Double?
    public var kittiRotationDegPer100m: Double?

    /// One line for the terminal.
    public var text: String {
        var s = String(format: "ATE %.4f m (%.3f %% of %.1f m, SE(3)-aligned, %d poses), RPE %.4f m per frame", ateRMSE, atePercentOfPath, groundTruthLength, pairs, rpeRMSE)
        if let t = kittiTranslationPercent, let r = kittiRotationDegPer100m { s += String(format: "; KITTI t_err %.2f %%, r_err %.3f deg/100 m", t, r) }
        return s
    }

    public static func evaluate(estimate: Trajectory, groundTruth: Trajectory, byTime: Bool) throws(ReportError) -> RunEvaluation? {
        do {
            var ref = groundTruth, est = estimate
            if byTime {
                (ref, est) = try Association.associate(reference: groundTruth, estimate: estimate, maxDiff: 0.01, offset: 0,
                                                       referenceName: "ground truth", estimateName: "estimate")
            } else {
                let n = min(ref.count, est.count)
                ref = ref.subset(Array(0..<n)); est = est.subset(Array(0..<n))
            }
            guard ref.count >= 3 else { return nil }
            let ape = try APE.evaluate(reference: ref, estimate: est, relation: .translationPart, alignment: .se3)
            let rpe = try RPE.evaluate(reference: ref, estimate: est, relation: .translationPart)
            let length = ref.pathLength
            var e = RunEvaluation(pairs: ref.count, groundTruthLength: length, ateRMSE: ape.statistics.rmse,
                                  atePercentOfPath: length > 0 ? 100 * ape.statistics.rmse / length : 0, rpeRMSE: rpe.statistics.rmse)
            if length > 100, let k = try? KittiOdometry.evaluate(groundTruth: ref, estimate: est), !k.segments.isEmpty {
                e.kittiTranslationPercent = k.translationErrorPercent
                e.kittiRotationDegPer100m = k.rotationErrorDegPer100m
            }
            return e
        } catch {
            throw .evaluation(error.description)
        }
    }
}

