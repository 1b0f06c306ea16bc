import Geometry

/// A sequence of poses, optionally time-stamped.
///
/// Poses are `T_world_sensor`: they map points from the sensor (camera or body) frame into the
/// world frame of the trajectory. The frame conventions of each file format are documented in
/// `TrajectoryFormat`.
public struct Trajectory: Sendable, Equatable {
    public var poses: [SE3]
    /// Seconds, one per pose, or `nil` for files without time (KITTI without a times file).
    public var timestamps: [Double]?

    public init(poses: [SE3], timestamps: [Double]? = nil) {
        precondition(timestamps == nil || timestamps!.count == poses.count, "one timestamp per pose")
        self.poses = poses; self.timestamps = timestamps
    }

    public var count: Int { poses.count }
    public var isEmpty: Bool { poses.isEmpty }
    /// Positions of the poses.
    public var positions: [Vec3] { poses.map(\.translation) }

    /// Length of the path through the positions, metres.
    public var pathLength: Double {
        guard poses.count > 1 else { return 0 }
        var s = 0.0
        for i in 1..<poses.count { s += (poses[i].translation - poses[i - 1].translation).norm }
        return s
    }

    /// Cumulative distance along the path at each pose (first is 0).
    public var distances: [Double] {
        var d = [Double](repeating: 0, count: poses.count)
        for i in poses.indices.dropFirst() { d[i] = d[i - 1] + (poses[i].translation - poses[i - 1].translation).norm }
        return d
    }

    /// The subset of poses at the given indices.
    public func subset(_ indices: [Int]) -> Trajectory {
        Trajectory(poses: indices.map { poses[$0] }, timestamps: timestamps.map { t in indices.map { t[$0] } })
    }

    /// The trajectory expressed relative to its first pose (first pose becomes identity).
    public var startingAtIdentity: Trajectory {
        guard let first = poses.first else { return self }
        let inv = first.inverse
        return Trajectory(poses: poses.map { inv * $0 }, timestamps: timestamps)
    }

    /// Each pose right-multiplied by a fixed transform: `T_w_s · X` (change of sensor frame).
    public func transformedSensor(by x: SE3) -> Trajectory {
        Trajectory(poses: poses.map { $0 * x }, timestamps: timestamps)
    }

    /// Each pose left-multiplied by a fixed transform: `X · T_w_s` (change of world frame).
    public func transformedWorld(by x: SE3) -> Trajectory {
        Trajectory(poses: poses.map { x * $0 }, timestamps: timestamps)
    }

    /// The index of the first pose whose timestamp is not after the one before it (unsorted or
    /// duplicated timestamps), or nil when they increase throughout or there are none.
    public var firstNonIncreasingTimestamp: Int? {
        guard let t = timestamps else { return nil }
        return t.indices.dropFirst().first { t[$0] <= t[$0 - 1] }
    }
}
