import Geometry

/// The odometry's trajectory after the window's last word: every frame moved with the keyframe it
/// was solved against, from the pose that keyframe had when the frame was reported to its final
/// one, `T'_f = T_k,final · T_k,reported⁻¹ · T_f`.
///
/// A frame's pose is reported once, relative to its keyframe as that keyframe stood then; the
/// window optimisation and the bundle adjustment go on moving the keyframe while it stays in the
/// window (up to `OdometryConfig.windowSize` keyframes later). The live poses carry each
/// keyframe's error before those corrections; the refined ones carry what the window settled on.
/// Feed every `FrameResult` in order to `add`; `refined` gives the trajectory at any time (frames
/// whose keyframe is still in the window follow its newest pose).
public struct KeyframeRefinement: Sendable {
    /// Per keyframe number: the pose frames were reported against, and the newest.
    private var reported: [Int: SE3] = [:], latest: [Int: SE3] = [:]
    /// Per frame: its reference keyframe's number.
    private var references: [Int] = []

    public init() {}

    /// Takes the next frame's result.
    public mutating func add(_ frame: FrameResult) { add(reference: frame.reference, keyframePoses: frame.keyframePoses) }

    /// Takes the next frame: the number of its reference keyframe, and the keyframe poses it
    /// reported (`FrameResult.keyframePoses`). A keyframe's first pose is the one its frames were
    /// reported against.
    public mutating func add(reference: Int, keyframePoses: [Int: SE3]) {
        for (number, pose) in keyframePoses {
            if reported[number] == nil { reported[number] = pose }
            latest[number] = pose
        }
        references.append(reference)
    }

    /// The newest pose of keyframe `number` (nil for a number never reported).
    public func pose(ofKeyframe number: Int) -> SE3? { latest[number] }

    /// `poses[f]` (the live poses of the frames added, in order) moved with their keyframes.
    public func refined(_ poses: [SE3]) -> [SE3] {
        poses.enumerated().map { f, pose in
            guard f < references.count, let from = reported[references[f]], let to = latest[references[f]] else { return pose }
            return (to * from.inverse * pose).orthonormalized
        }
    }
}
