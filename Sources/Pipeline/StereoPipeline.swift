import Datasets
import Foundation
import Frontend
import Geometry
import LoopClosure
import Odometry
import PoseGraph

/// One frame as the pipeline reports it.
public struct PipelineFrame: Sendable {
    /// The odometry's result: `T_world_camera`, its 6×6 covariance, state, statistics, keyframe.
    public var odometry: FrameResult
    /// `T_map_camera`: the odometry pose composed with the newest solved map ← odometry
    /// correction (equal to the odometry pose until a loop has been solved).
    public var correctedPose: SE3
    /// Loops accepted by the newest solved correction.
    public var loops: Int
    /// Corrections solved so far (the one in `correctedPose` is the newest).
    public var corrections: Int
    /// Time `process` took for this frame (the odometry; place recognition, verification and
    /// corrections run on the loop-closure thread), ms.
    public var milliseconds: Double

    public var index: Int { odometry.index }
    public var timestamp: Double { odometry.timestamp }
    public var pose: SE3 { odometry.pose }
    public var covariance: Mat6 { odometry.covariance }
    public var state: TrackingState { odometry.state }
}

/// What the pipeline gives at the end of a sequence.
public struct PipelineResult: Sendable {
    /// Odometry `T_world_camera` and timestamps of every frame processed, in order: the live
    /// poses, as `process` returned them.
    public var poses: [SE3]
    public var timestamps: [Double]
    /// The odometry's poses after the window's last word: every frame moved with its keyframe to
    /// that keyframe's final pose (`KeyframeRefinement`). No loop closure in them.
    public var refinedPoses: [SE3]
    /// Every frame's pose after the final correction (`refinedPoses` when loop closure is off).
    public var correctedPoses: [SE3]
    /// The final correction (nil with loop closure off).
    public var correction: LoopGraph.Correction?
}

/// Errors of the pipeline: the front end's (bad images, settings) and the final correction's.
public enum PipelineError: Error, CustomStringConvertible, Sendable {
    case frontend(FrontendError)
    case correction(PoseGraphError)
    case finished
    /// A setting is not allowed, or a file it names cannot be read.
    case configuration(String)
    /// A frame of a dataset could not be read or processed.
    case frame(dataset: String, index: Int, reason: String)

    public var description: String {
        switch self {
        case .frontend(let e): return e.description
        case .correction(let e): return "loop correction: \(e)"
        case .configuration(let text): return text
        case .finished: return "the pipeline has finished: create a new one for another sequence"
        case .frame(let dataset, let index, let reason): return "\(dataset) frame \(index): \(reason)"
        }
    }
}

/// Stereo SLAM for one sequence, fed one rectified stereo frame at a time: front end → odometry
/// → place recognition and loop verification → loop correction (METHOD.md §2–7).
///
/// ```swift
/// let slam = try StereoPipeline(camera: camera, config: PipelineConfig())
/// for frame in frames {
///     let f = try slam.process(left: frame.left, right: frame.right, timestamp: frame.timestamp)
///     use(f.correctedPose)            // T_map_camera, corrected by every loop solved so far
/// }
/// let result = try slam.finish()      // the final corrected trajectory
/// ```
/// **Loops.** Keyframes go to a background thread that recognises places, verifies loops and,
/// when a keyframe brings a new loop, solves the correction; `process` never waits for it. Each
/// frame gets the newest correction that is ready, so a correction shows from some frame after
/// the loop on. The odometry poses do not depend on corrections: the same frames give the same
/// odometry poses; only `correctedPose` may differ with the timing of the solves.
///
/// **Threading.** `process` and `finish` are called from one thread at a time (they may not
/// overlap); the loop-closure thread is internal. After `finish` the pipeline takes no more frames.
///
/// **Memory.** Grows with keyframes: each keeps its stereo measurements (64 bytes each, up to the
/// front end's features), their descriptors, and the loop closer's bag of words, about 0.12 MB per
/// keyframe in all (a whole `parallax demo` run peaked at 76 MB with 167 keyframes and 125 MB
/// with 592); and with frames (each frame's live pose and timestamp, and its reference keyframe's
/// number and pose with its pose relative to it for the refined trajectory: about 310 bytes). The
/// odometry's own state is bounded by its window.
public final class StereoPipeline {
    public let camera: StereoCamera
    public let config: PipelineConfig
    private let odometry: VisualOdometry
    /// Runs the loop closer in the background (nil with loop closure off).
    private let loops: LoopWorker?
    private var poses: [SE3] = []
    private var timestamps: [Double] = []
    private var refinement = KeyframeRefinement()
    /// Every keyframe reported, for the map (their point arrays are shared with the loop closer's).
    private var keyframes: [KeyframeSnapshot] = []
    private var final: PipelineResult?
    /// The final correction's error, given again to later calls of `finish()`.
    private var failure: PipelineError?
    private var finished = false

    /// Throws when a setting is outside its allowed range.
    public init(camera: StereoCamera, config: PipelineConfig = PipelineConfig()) throws(PipelineError) {
        self.camera = camera
        self.config = config
        if let v = config.violation { throw .configuration(v.description) }
        do { odometry = try VisualOdometry(camera: camera, config: config.odometry) } catch { throw .frontend(error) }
        loops = try config.resolvedLoopClosure().map { LoopWorker(LoopCloser(camera: camera, odometry: config.odometry, config: $0)) }
    }

    /// Frames processed so far.
    public var framesProcessed: Int { poses.count }

    /// Processes one rectified stereo frame (8-bit grey, the camera's size).
    public func process(left: GreyImage, right: GreyImage, timestamp: Double) throws(PipelineError) -> PipelineFrame {
        guard !finished else { throw .finished }
        let start = Date()
        let r: FrameResult
        do { r = try odometry.process(left: left, right: right, timestamp: timestamp) } catch { throw .frontend(error) }
        poses.append(r.pose)
        timestamps.append(r.timestamp)
        refinement.add(r)
        if let k = r.keyframe {
            keyframes.append(k)
            loops?.add(k)
        }
        if !r.keyframePoses.isEmpty { loops?.move(r.keyframePoses) }
        let solved = loops?.current
        return PipelineFrame(odometry: r, correctedPose: ((solved?.mapFromOdometry ?? .identity) * r.pose).orthonormalized,
                             loops: solved?.accepted ?? 0, corrections: solved?.count ?? 0,
                             milliseconds: Date().timeIntervalSince(start) * 1000)
    }

    /// The loop closer (nil with loop closure off, and until `finish()`: until then it is in use
    /// on the loop-closure thread): its keyframes, loops and timings.
    public var loopCloser: LoopCloser? { finished ? loops?.closer : nil }

    /// Background corrections that failed to solve (the previous correction stayed in use).
    public var failedCorrections: Int { loops?.failed ?? 0 }

    /// Waits for keyframes still being recognised and a correction still solving, moves the
    /// keyframes to their refined poses, solves the final correction over every keyframe and loop,
    /// and returns every frame's live, refined and corrected pose (what `parallax run` writes).
    public func finish() throws(PipelineError) -> PipelineResult {
        if let failure { throw failure }
        guard !finished else { throw .finished }
        finished = true
        refinement.update(odometry.settle())
        let refined = refinement.refined()
        var result = PipelineResult(poses: poses, timestamps: timestamps, refinedPoses: refined, correctedPoses: refined, correction: nil)
        if let closer = loops.map({ $0.waitUntilIdle(); return $0.closer }) {
            closer.moveKeyframes(refinement.keyframePoses)
            let correction: LoopGraph.Correction
            do { correction = try closer.correct() } catch {
                failure = .correction(error)
                throw .correction(error)
            }
            result.correctedPoses = closer.correctedFrames(refined, correction)
            result.correction = correction
        }
        final = result
        return result
    }

    /// The map: every keyframe's points, at the keyframes' corrected poses after `finish()`, at
    /// their refined odometry poses before it (or with loop closure off). Empty when the odometry
    /// does not describe keyframes (`OdometryConfig.describeKeyframes` off).
    public func map() -> PointMap {
        if let corrected = final?.correction?.keyframePoses { return PointMap(snapshots: keyframes, poses: corrected) }
        let refined = keyframes.compactMap { k in refinement.pose(ofKeyframe: k.number).map { (k.index, $0) } }
        return PointMap(snapshots: keyframes, poses: Dictionary(refined, uniquingKeysWith: { _, b in b }))
    }
}
