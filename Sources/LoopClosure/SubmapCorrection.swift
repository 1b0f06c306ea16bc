import Foundation
import Geometry
import Odometry
import PoseGraph

/// A run of consecutive keyframes with an anchor (its first keyframe). A new submap begins every
/// `LoopClosureConfig.submapKeyframes` keyframes and after every tracking loss.
public struct Submap: Sendable, Equatable {
    /// Submap number, in order of creation.
    public var number: Int
    /// Frame indices of its anchor and of its last keyframe.
    public var anchor: Int, last: Int
    /// Slots in `LoopGraph.keyframes`.
    public var keyframes: Range<Int>
    /// Connected component (0: the first submap's): submaps joined by odometry or by loops share
    /// a frame. A submap born after tracking loss has a component of its own until a loop joins it.
    public var component: Int
}

extension LoopGraph {
    /// The result of a correction.
    public struct Correction: Sendable {
        /// Corrected `T_world_keyframe`, by keyframe frame index. Keyframes of a component other
        /// than 0 are in that component's own frame (its first keyframe's odometry pose).
        public var keyframePoses: [Int: SE3]
        /// Loops the graph kept (χ² under the gate at the optimum) and those it refused.
        public var accepted: [LoopConstraint], rejected: [LoopConstraint]
        public var submaps: [Submap]
        /// Connected component of each keyframe (by frame index).
        public var component: [Int: Int]
        /// Time of the anchor graph (global step), and of the whole correction.
        public var anchorSeconds: Double, seconds: Double
    }

    /// The odometry chain from slot `a` to slot `b`: the relative pose `T_a_b` and its compounded
    /// 6×6 covariance (right perturbation at b; for b < a the inverted chain), or nil when tracking
    /// was lost in between. Constant time: each step's covariance carried to the world frame,
    /// `Ad(T_w_k) Σ_k Ad(T_w_k)ᵀ`, is summed from the start of the chain, so
    /// `Σ_ab = Ad(T_b_w) (S_b − S_a) Ad(T_b_w)ᵀ`.
    public func odometryChain(_ a: Int, _ b: Int) -> (pose: SE3, covariance: Mat6)? {
        if b < a {
            // (T exp(ξ))⁻¹ = T⁻¹ exp(−Ad(T) ξ): the inverse's right perturbation is Ad(T_b_a)·ξ.
            return odometryChain(b, a).map { l in
                let ad = l.pose.adjoint
                return (l.pose.inverse, ad * l.covariance * ad.transposed)
            }
        }
        guard keyframes.indices.contains(a), keyframes.indices.contains(b), chainSums[a].chain == chainSums[b].chain else { return nil }
        let toB = keyframes[b].pose.inverse
        let ad = toB.adjoint
        return (keyframes[a].pose.inverse * keyframes[b].pose,
                ad * (chainSums[b].sum - chainSums[a].sum) * ad.transposed)
    }

    /// The running sum of world-frame step covariances for keyframe `k`, the sums of the keyframes
    /// before it known (see `odometryChain`).
    mutating func appendChainSum(upTo k: Int) {
        let kf = keyframes[k]
        guard k > 0, kf.previous == keyframes[k - 1].index, let rel = kf.relativeCovariance else {
            chainSums.append((chain: (chainSums.last?.chain ?? -1) + 1, sum: Mat6()))
            return
        }
        let ad = kf.pose.adjoint
        chainSums.append((chain: chainSums[k - 1].chain, sum: chainSums[k - 1].sum + ad * rel * ad.transposed))
    }

    /// Odometry consistency of a loop (the gate against false loops before any solve): the
    /// relative pose the odometry chain predicts between the two keyframes against the loop's,
    /// with both covariances (the chain's inflated by `chainInflation`). Returns the squared
    /// Mahalanobis distance, or nil when no odometry chain joins the keyframes.
    public func odometryDistance(_ loop: LoopConstraint) -> Double? {
        guard let a = slot[loop.candidate], let b = slot[loop.query], let c = odometryChain(a, b) else { return nil }
        let e = (loop.relative.inverse * c.pose).log
        guard let info = (c.covariance * config.chainInflation + loop.covariance).inverse else { return nil }
        return e.dot(info * e)
    }

    /// Slot ranges of the submaps: a new one every `submapKeyframes` keyframes and after each loss.
    func submapRanges() -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for k in keyframes.indices.dropFirst() where k - start >= max(1, config.submapKeyframes) || keyframes[k].previous != keyframes[k - 1].index {
            ranges.append(start..<k); start = k
        }
        if !keyframes.isEmpty { ranges.append(start..<keyframes.count) }
        return ranges
    }

    /// Corrects the keyframe poses, global to local (METHOD.md §7): loops the odometry contradicts
    /// are refused; a pose graph over the submap anchors (odometry between consecutive anchors,
    /// loops carried to the anchors) is solved per connected component with its first anchor
    /// fixed; every keyframe follows its anchor; then (`refineKeyframes`) the full keyframe graph
    /// is solved from there. A loop is accepted when its χ² at the final optimum is under the gate.
    public func correct() throws(PoseGraphError) -> Correction {
        let t0 = Date()
        var rejected: [LoopConstraint] = []
        var usable: [(loop: LoopConstraint, a: Int, b: Int, information: Mat6)] = []
        for l in loops {
            guard let a = slot[l.candidate], let b = slot[l.query], let info = l.covariance.inverse else { continue }
            if let d = odometryDistance(l), d > config.gate { rejected.append(l) } else { usable.append((l, a, b, info)) }
        }
        let ranges = submapRanges()
        var submapOf = [Int](repeating: 0, count: keyframes.count)
        for (m, r) in ranges.enumerated() { for k in r { submapOf[k] = m } }
        // Components over submaps: odometry links between consecutive submaps, and loops.
        var parent = Array(ranges.indices)
        func find(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        func join(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[max(ra, rb)] = min(ra, rb) } }
        for m in ranges.indices.dropFirst() where odometryChain(ranges[m - 1].lowerBound, ranges[m].lowerBound) != nil { join(m - 1, m) }
        for u in usable { join(submapOf[u.a], submapOf[u.b]) }
        let roots = Array(Set(ranges.indices.map(find))).sorted()
        let componentOf = Dictionary(uniqueKeysWithValues: roots.enumerated().map { ($1, $0) })
        var submapsOf = [[Int]](repeating: [], count: roots.count)   // per component, in order
        for m in ranges.indices { if let c = componentOf[find(m)] { submapsOf[c].append(m) } }

        // Global: the anchor graph of each component; every keyframe follows its anchor.
        var poses = keyframes.map(\.pose)
        for members in submapsOf {
            guard let solved = try solveAnchors(members, ranges: ranges, submapOf: submapOf, loops: usable.map { ($0.a, $0.b, $0.loop) }) else { continue }
            for (i, m) in members.enumerated() {
                let anchor = keyframes[ranges[m].lowerBound].pose
                for k in ranges[m] { poses[k] = (solved[i] * anchor.inverse * keyframes[k].pose).orthonormalized }
            }
        }
        let anchorSeconds = Date().timeIntervalSince(t0)
        // Local: the full keyframe graph of each component with a loop, from the anchors' result.
        if config.refineKeyframes {
            for component in submapsOf {
                let members = component.flatMap { Array(ranges[$0]) }
                let local = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
                let loopsHere = usable.filter { local[$0.a] != nil && local[$0.b] != nil }
                guard members.count > 1, !loopsHere.isEmpty else { continue }
                var factors: [any Factor<SE3>] = []
                for (j, k) in members.enumerated() {
                    guard let p = keyframes[k].previous, let s = slot[p], let i = local[s],
                          let info = keyframes[k].relativeCovariance?.inverse else { continue }
                    factors.append(BetweenFactor<SE3>(i, j, measured: keyframes[s].pose.inverse * keyframes[k].pose, information: info.elements))
                }
                for u in loopsHere {
                    guard let a = local[u.a], let b = local[u.b] else { continue }
                    factors.append(BetweenFactor<SE3>(a, b, measured: u.loop.relative, information: u.information.elements))
                }
                let solved = try optimize(FactorGraph(poses: members.map { poses[$0] }, fixed: [0], factors: factors))
                for (j, k) in members.enumerated() { poses[k] = solved[j] }
            }
        }
        var accepted: [LoopConstraint] = []
        for u in usable {
            let r = (u.loop.relative.inverse * (poses[u.a].inverse * poses[u.b])).log
            if r.dot(u.information * r) <= config.gate { accepted.append(u.loop) } else { rejected.append(u.loop) }
        }
        let submaps = ranges.enumerated().map { m, r in
            Submap(number: m, anchor: keyframes[r.lowerBound].index, last: keyframes[r.upperBound - 1].index,
                   keyframes: r, component: componentOf[find(m)] ?? 0)
        }
        var keyframePoses: [Int: SE3] = [:], component: [Int: Int] = [:]
        for (k, kf) in keyframes.enumerated() { keyframePoses[kf.index] = poses[k]; component[kf.index] = submaps[submapOf[k]].component }
        return Correction(keyframePoses: keyframePoses, accepted: accepted, rejected: rejected, submaps: submaps,
                          component: component, anchorSeconds: anchorSeconds, seconds: Date().timeIntervalSince(t0))
    }

    /// Solves the anchor graph of the submaps `members` (one component); nil when it holds no loop.
    private func solveAnchors(_ members: [Int], ranges: [Range<Int>], submapOf: [Int],
                              loops: [(a: Int, b: Int, loop: LoopConstraint)]) throws(PoseGraphError) -> [SE3]? {
        let local = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
        var factors: [any Factor<SE3>] = []
        var loopCount = 0
        for (i, m) in members.enumerated().dropFirst() {
            guard let prev = local[m - 1], let c = odometryChain(ranges[m - 1].lowerBound, ranges[m].lowerBound),
                  let info = c.covariance.inverse else { continue }
            factors.append(BetweenFactor<SE3>(prev, i, measured: c.pose, information: info.elements))
        }
        for l in loops {
            let ma = submapOf[l.a], mb = submapOf[l.b]
            guard ma != mb, let ia = local[ma], let ib = local[mb],
                  let x = odometryChain(ranges[ma].lowerBound, l.a), let y = odometryChain(ranges[mb].lowerBound, l.b) else { continue }
            // T_aA_aB = X · T_c_q · Y⁻¹, X = T_aA_c, Y = T_aB_q; right perturbations carried to the end.
            let yInv = y.pose.inverse
            let measured = x.pose * l.loop.relative * yInv
            let adLoop = y.pose.adjoint, adX = (l.loop.relative * yInv).inverse.adjoint
            let cov = adX * x.covariance * adX.transposed + adLoop * l.loop.covariance * adLoop.transposed
                + adLoop * y.covariance * adLoop.transposed
            guard let info = cov.inverse else { continue }
            factors.append(BetweenFactor<SE3>(ia, ib, measured: measured, information: info.elements))
            loopCount += 1
        }
        guard loopCount > 0 else { return nil }
        return try optimize(FactorGraph(poses: members.map { keyframes[ranges[$0].lowerBound].pose }, fixed: [0], factors: factors))
    }

    private func optimize(_ graph: FactorGraph<SE3>) throws(PoseGraphError) -> [SE3] {
        var options = OptimizerOptions()
        options.outlierGate = config.gate
        options.maxIterations = 50
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        _ = try optimizer.optimize()
        return optimizer.graph.poses
    }
}
