import Geometry
import Odometry
import PoseGraph

/// The keyframes and verified loops that a correction is solved from (METHOD.md §7), as a value:
/// a copy taken between two keyframes can be corrected on another thread while the loop closer
/// goes on adding keyframes to its own.
///
/// Memory grows with keyframes: each holds its stereo points and descriptors (a few hundred of
/// each), a 6×6 chain sum and its slot.
public struct LoopGraph: Sendable {
    public let config: LoopClosureConfig
    /// The keyframes in order of arrival.
    public internal(set) var keyframes: [KeyframeSnapshot] = []
    /// Loops that passed verification and confirmation (whether or not a correction keeps them).
    public internal(set) var loops: [LoopConstraint] = []
    /// Position in `keyframes` of each keyframe's frame index, and of each keyframe number.
    var slot: [Int: Int] = [:], numberSlot: [Int: Int] = [:]
    /// Per keyframe: its unbroken odometry chain (a number) and the running sum of world-frame
    /// step covariances along it (see `odometryChain`).
    var chainSums: [(chain: Int, sum: Mat6)] = []

    public init(config: LoopClosureConfig) { self.config = config }

    /// Appends a keyframe (newer than every keyframe so far).
    mutating func append(_ keyframe: KeyframeSnapshot) {
        slot[keyframe.index] = keyframes.count
        numberSlot[keyframe.number] = keyframes.count
        keyframes.append(keyframe)
        appendChainSum(upTo: keyframes.count - 1)
    }

    /// Moves keyframes to newer odometry poses, by keyframe number (`FrameResult.keyframePoses`:
    /// the window optimisation's word on them, later than the pose they were reported with; numbers
    /// of keyframes not in the graph are ignored). Odometry chains and corrections are then solved
    /// from the moved keyframes; frame poses given to `correctedFrames` must be refined the same way
    /// (`KeyframeRefinement`).
    public mutating func moveKeyframes(_ poses: [Int: SE3]) {
        var first = keyframes.count
        for (number, pose) in poses {
            guard let s = numberSlot[number] else { continue }
            keyframes[s].pose = pose
            first = min(first, s)
        }
        guard first < keyframes.count else { return }
        chainSums.removeLast(keyframes.count - first)
        for k in first..<keyframes.count { appendChainSum(upTo: k) }
    }

    /// Every frame follows its keyframe: `T'_f = T'_k T_k⁻¹ T_f` with k the last keyframe at or
    /// before frame f. `framePoses[f]` are the odometry's poses of frames 0…n−1.
    public func correctedFrames(_ framePoses: [SE3], _ c: Correction) -> [SE3] {
        var k = -1
        return framePoses.enumerated().map { f, pose in
            while k + 1 < keyframes.count && keyframes[k + 1].index <= f { k += 1 }
            guard k >= 0, let corrected = c.keyframePoses[keyframes[k].index] else { return pose }
            return (corrected * keyframes[k].pose.inverse * pose).orthonormalized
        }
    }

    /// The map ← odometry transform a correction implies for frames after this graph's last
    /// keyframe: `T'_k T_k⁻¹` of that keyframe (identity without keyframes, or when the correction
    /// left it alone).
    public func mapFromOdometry(_ c: Correction) -> SE3 {
        guard let last = keyframes.last, let corrected = c.keyframePoses[last.index] else { return .identity }
        return (corrected * last.pose.inverse).orthonormalized
    }
}
