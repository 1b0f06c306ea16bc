import Geometry

/// The odometry's trajectory after the window's last word: every frame moved with the keyframe it
/// was solved against, from the pose that keyframe had when the frame was solved to its final one,
/// `T'_f = T_k,final · T_k,then⁻¹ · T_f`.
///
/// A frame's pose is reported once, relative to its keyframe as that keyframe stood then; the
/// window optimisation and the bundle adjustment go on moving the keyframe while it stays in the
/// window (up to `OdometryConfig.windowSize` keyframes later). The live poses carry each
/// keyframe's error before those corrections; the refined ones carry what the window settled on.
/// Feed every `FrameResult` in order to `add`, and `VisualOdometry.settle()` after the last to
/// `update`; `refined()` gives the trajectory at any time (frames whose keyframe is still in the
/// window follow its newest pose).
public struct KeyframeRefinement: Sendable {
    /// Per keyframe number: its newest pose.
    private var latest: [Int: SE3] = [:]
    /// Per frame: its reference keyframe's number and pose then, and the frame's pose relative to it.
    private var frames: [(reference: Int, referencePose: SE3, relative: SE3)] = []

    public init() {}

    /// Takes the next frame's result.
    public mutating func add(_ frame: FrameResult) {
        add(reference: frame.reference, referencePose: frame.referencePose, pose: frame.pose, keyframePoses: frame.keyframePoses)
    }

    /// Takes the next frame: its pose, its reference keyframe's number and pose when it was solved,
    /// and the keyframe poses it reported (`FrameResult.keyframePoses`).
    public mutating func add(reference: Int, referencePose: SE3, pose: SE3, keyframePoses: [Int: SE3]) {
        update(keyframePoses)
        frames.append((reference, referencePose, referencePose.inverse * pose))
    }

    /// Takes newer keyframe poses, by number (`VisualOdometry.settle()`).
    public mutating func update(_ keyframePoses: [Int: SE3]) {
        for (number, pose) in keyframePoses { latest[number] = pose }
    }

    /// The newest pose of keyframe `number` (nil for a number never reported).
    public func pose(ofKeyframe number: Int) -> SE3? { latest[number] }

    /// The newest pose of every keyframe reported, by number.
    public var keyframePoses: [Int: SE3] { latest }

    /// Every frame added, moved with its keyframe.
    public func refined() -> [SE3] {
        frames.map { f in ((latest[f.reference] ?? f.referencePose) * f.relative).orthonormalized }
    }
}
