import Foundation
import Geometry
import Odometry

/// The map a run leaves: every point its keyframes triangulated, once per track, in the world
/// frame of the corrected trajectory (of the odometry when loop closure is off), with its metric
/// covariance, its grey value, the keyframe that made it and how many keyframes observed it; and
/// the keyframes' poses.
public struct PointMap: Sendable {
    public struct Point: Sendable {
        /// World position, metres.
        public var position: Vec3
        /// 3×3 covariance of `position` in the world frame, m² (the keyframe's metric covariance
        /// rotated into the world; the keyframe pose's own uncertainty is not added).
        public var covariance: Mat3
        /// Grey value of the keyframe image at the point.
        public var grey: UInt8
        /// Frame index of the keyframe that made the point (its first observation in stereo).
        public var keyframe: Int
        /// Keyframes that observed it in stereo (itself included).
        public var observations: Int
    }

    public var points: [Point]
    /// `T_world_keyframe` of every keyframe, by frame index, in order.
    public var keyframes: [(frame: Int, pose: SE3)]

    /// The map of `snapshots` (in order) with each keyframe at `poses[frame]` (its corrected pose;
    /// the snapshot's own pose when absent).
    public init(snapshots: [KeyframeSnapshot], poses: [Int: SE3]) {
        var first: [Int64: (slot: Int, point: Int)] = [:]
        var seen: [Int64: Int] = [:]
        for (k, s) in snapshots.enumerated() {
            for (i, p) in s.measurements.enumerated() {
                seen[p.id, default: 0] += 1
                if first[p.id] == nil { first[p.id] = (k, i) }
            }
        }
        keyframes = snapshots.map { ($0.index, poses[$0.index] ?? $0.pose) }
        points = first.sorted { ($0.value.slot, $0.value.point) < ($1.value.slot, $1.value.point) }.map { id, at in
            let s = snapshots[at.slot], p = StereoPoint(s.measurements[at.point], camera: s.camera)
            let pose = poses[s.index] ?? s.pose
            let r = pose.rotation.matrix
            return Point(position: pose * p.position, covariance: r * p.covariance * r.transposed,
                         grey: at.point < s.intensities.count ? s.intensities[at.point] : 128,
                         keyframe: s.index, observations: seen[id] ?? 1)
        }
    }

    /// The same map in another world frame: `t` maps this world's coordinates into it.
    public func inWorld(_ t: SE3) -> PointMap {
        var m = self
        let r = t.rotation.matrix
        m.points = points.map { p in
            var q = p
            q.position = t * p.position
            q.covariance = r * p.covariance * r.transposed
            return q
        }
        m.keyframes = keyframes.map { ($0.frame, t * $0.pose) }
        return m
    }
}
