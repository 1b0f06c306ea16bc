import Frontend
import Geometry
import Odometry

/// A verified loop: the relative pose `T_candidate_query` and its covariance from the weighted
/// solve, with the evidence behind it.
public struct LoopConstraint: Sendable {
    /// Frame indices of the older keyframe (candidate) and the newer one (query).
    public var candidate: Int, query: Int
    public var relative: SE3
    public var covariance: Mat6
    public var matches: Int, inliers: Int
    public var score: Double
    /// The neighbouring keyframe of the candidate whose own verification agreed (nil: unconfirmed
    /// or confirmation not required).
    public var confirmedBy: Int?

    public init(candidate: Int, query: Int, relative: SE3, covariance: Mat6, matches: Int, inliers: Int, score: Double,
                confirmedBy: Int? = nil) {
        self.candidate = candidate; self.query = query; self.relative = relative; self.covariance = covariance
        self.matches = matches; self.inliers = inliers; self.score = score; self.confirmedBy = confirmedBy
    }
}

/// Geometric verification of a place-recognition candidate (METHOD.md §7): ORB descriptors are
/// matched (mutual nearest neighbours, distance and ratio gates); the candidate keyframe's metric
/// 3D points and the query's stereo observations go through the odometry's RANSAC + weighted
/// Gauss–Newton solve; enough inliers, and a large enough share of them, make a loop.
public struct LoopVerifier: Sendable {
    public var solver: PoseSolver
    /// Hamming distance gate (of 256 bits). Default 50.
    public var maxDistance = 50
    /// Best / second-best distance ratio. Default 0.8.
    public var ratio = 0.8
    /// Inliers needed, and their share of the matches. Defaults 25 and 0.5.
    public var minInliers = 25
    public var minInlierFraction = 0.5
    /// Largest standard deviation of the loop's translation (m) and rotation (rad): a solve whose
    /// inliers leave a direction unconstrained (points on one plane or line) is no constraint.
    /// Defaults 0.1 m and 0.01 rad (the odometry's keyframe solves: ~0.01 m, ~0.001 rad).
    public var maxTranslationSigma = 0.1
    public var maxRotationSigma = 0.01
    /// The looser bar for a confirming neighbour, whose agreement in pose is the evidence: a
    /// share of `minInliers` and of `minInlierFraction`. Default 0.5.
    public var confirmationShare = 0.5

    public init(solver: PoseSolver) { self.solver = solver }

    /// Mutual nearest-neighbour matches between two descriptor sets (indices into each).
    public func match(_ a: [ORBDescriptor?], _ b: [ORBDescriptor?]) -> [(Int, Int)] {
        func nearest(_ d: ORBDescriptor, in set: [ORBDescriptor?]) -> (index: Int, best: Int, second: Int) {
            var best = Int.max, second = Int.max, index = -1
            for (j, e) in set.enumerated() {
                guard let e else { continue }
                let h = d.distance(to: e)
                if h < best { second = best; best = h; index = j } else if h < second { second = h }
            }
            return (index, best, second)
        }
        var out: [(Int, Int)] = []
        for (i, d) in a.enumerated() {
            guard let d else { continue }
            let f = nearest(d, in: b)
            guard f.index >= 0, f.best <= maxDistance, Double(f.best) < ratio * Double(f.second), let e = b[f.index] else { continue }
            guard nearest(e, in: a).index == i else { continue }
            out.append((i, f.index))
        }
        return out
    }

    /// Whether a verified constraint clears the full bar (inliers and their share), not only the
    /// looser bar of a confirmation.
    public func meetsFullBar(_ loop: LoopConstraint) -> Bool {
        clearsBar(inliers: loop.inliers, matches: loop.matches, share: 1)
    }

    /// The fewest inliers at a bar (`share` of `minInliers`, 1 for a loop).
    private func minInliers(share: Double) -> Int { Int((Double(minInliers) * share).rounded(.up)) }

    /// Whether `inliers` of `matches` clear the bar at `share` of `minInliers` and `minInlierFraction`.
    private func clearsBar(inliers: Int, matches: Int, share: Double) -> Bool {
        inliers >= minInliers(share: share) && Double(inliers) >= minInlierFraction * share * Double(matches)
    }

    /// Verifies `query` against `candidate`; nil when the geometry does not hold.
    /// With `confirming`, the looser bar of a confirmation (`confirmationShare`) applies.
    public func verify(query: KeyframeSnapshot, candidate: KeyframeSnapshot, score: Double, confirming: Bool = false) -> LoopConstraint? {
        let share = confirming ? confirmationShare : 1
        let pairs = match(candidate.descriptors, query.descriptors)
        guard pairs.count >= minInliers(share: share) else { return nil }
        let candidatePoints = candidate.points, queryPoints = query.points
        let matches = pairs.map { (c, q) -> PoseMatch in
            let p = candidatePoints[c], o = queryPoints[q]
            return PoseMatch(point: p.position, pointCovariance: p.covariance, uv: o.uv, uvCovariance: o.pixelCovariance,
                             stereo: o.observation)
        }
        // No motion prior: the odometry's guess of where the old place is may be metres off.
        guard let est = solver.solve(matches, prediction: candidate.pose.inverse * query.pose),
              clearsBar(inliers: est.inlierCount, matches: matches.count, share: share),
              (0..<3).allSatisfy({ est.covariance[$0, $0] <= maxTranslationSigma * maxTranslationSigma }),
              (3..<6).allSatisfy({ est.covariance[$0, $0] <= maxRotationSigma * maxRotationSigma }) else { return nil }
        return LoopConstraint(candidate: candidate.index, query: query.index, relative: est.pose, covariance: est.covariance,
                              matches: matches.count, inliers: est.inlierCount, score: score)
    }
}
