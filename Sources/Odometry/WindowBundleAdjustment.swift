import Geometry

extension KeyframeWindow {
    /// Structure and motion over the window: the keyframes' poses and the points seen in stereo by
    /// at least two of them (every such point with `allPoints`, else only those a keyframe's
    /// selector kept for tracking), every observation a (u, v, δ) residual weighted by its
    /// calibrated covariance. The oldest keyframe is held fixed rather than marginalised: it is
    /// the gauge the pose graph already fixes, and a fixed pose adds no fill-in or linearisation
    /// point to keep consistent (the window is short; its older information lives in the poses
    /// that leave it). Returns the refined world positions, by track id, of the newest keyframe's
    /// tracked points whose observation by it took part and still fits.
    /// Observations whose χ² at the starting values exceeds `gate` (the pose solve's inlier gate)
    /// are left out: mistracks and moving objects that the solves' RANSAC never saw as inliers.
    /// Each keyframe's disparities are first brought to `offset`, the disparity offset applied now:
    /// keyframes measured before the online estimate moved would otherwise pull every point they
    /// share towards the old depth.
    mutating func bundleAdjust(camera: StereoCamera, adjustment: BundleAdjustment, gate: Double, offset: Double,
                               allPoints: Bool) -> [Int64: Vec3] {
        guard keyframes.count >= 2 else { return [:] }
        var ids: [Int64] = []
        var indexOf: [Int64: Int] = [:]
        var points: [Vec3] = []
        var observations: [StereoObservation] = []
        // The window keyframes that see each point, oldest first.
        var seen: [Int64: [Int]] = [:]
        for k in keyframes.indices { for id in keyframes[k].observations.keys { seen[id, default: []].append(k) } }
        let candidates = allPoints ? Array(seen.keys) : Array(Set(keyframes.flatMap { $0.points.keys }))
        for id in candidates.sorted() {
            // Started from the newest keyframe's stereo: the start-value gate then drops the older
            // observations a mistrack made inconsistent, not the newest one the map will keep.
            guard let seenBy = seen[id], seenBy.count >= 2, let last = seenBy.last,
                  var anchor = keyframes[last].observations[id]?.measurement else { continue }
            anchor.disparity += offset - keyframes[last].offset
            guard anchor.disparity > 0 else { continue }
            indexOf[id] = points.count
            ids.append(id)
            points.append(keyframes[last].pose * StereoPoint(anchor, camera: camera).position)
            for k in seenBy {
                guard let o = keyframes[k].observations[id] else { continue }
                let c = o.pixelCovariance
                let covariance = Mat3(rows: Vec3(c.uu, c.uv, 0), Vec3(c.uv, c.vv, 0), Vec3(0, 0, o.disparityVariance))
                let disparity = o.disparity + offset - keyframes[k].offset
                if let obs = StereoObservation(pose: k, point: points.count - 1, measurement: Vec3(o.uv.x, o.uv.y, disparity),
                                               covariance: covariance) {
                    observations.append(obs)
                }
            }
        }
        guard !points.isEmpty else { return [:] }
        var problem = BundleProblem(camera: camera, poses: keyframes.map(\.pose), points: points, observations: observations, fixed: [0])
        let start = problem
        problem.observations.removeAll { o in
            guard let r = start.residual(o) else { return true }
            return r.dot(o.information * r) > gate
        }
        guard (try? adjustment.optimize(&problem)) != nil else { return [:] }
        for k in keyframes.indices { keyframes[k].pose = problem.poses[k].orthonormalized }
        // A refined point replaces the newest keyframe's own only where that keyframe's
        // observation took part and still fits (the frames that follow track from it).
        let newest = keyframes.count - 1
        var fits = Set<Int>()
        for o in problem.observations where o.pose == newest {
            if let r = problem.residual(o), r.dot(o.information * r) <= gate { fits.insert(o.point) }
        }
        let tracked = keyframes[newest].points
        return Dictionary(uniqueKeysWithValues: ids.compactMap { id in
            guard tracked[id] != nil else { return nil }
            return indexOf[id].flatMap { fits.contains($0) ? (id, problem.points[$0]) : nil }
        })
    }
}
