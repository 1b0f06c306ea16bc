import Foundation
import Geometry
import Odometry
import PoseGraph

/// Loop-closure settings with documented defaults.
public struct LoopClosureConfig: Sendable {
    /// Keyframes closer in time than this many frames are never loop candidates. Default 60.
    public var minFrameGap = 60
    /// Candidates tried per keyframe (best place-recognition scores first). Default 3.
    public var candidates = 3
    /// Smallest cosine similarity of the bags of words worth verifying. Default 0.05.
    public var minScore = 0.05
    /// χ² (6 dof) above which a loop is refused (99.9 %: 22.46): against the odometry chain before
    /// the solve, and against the optimum after it.
    public var gate = 22.46
    /// Inflation of the odometry chain's compounded covariance in the consistency test. The
    /// per-frame pose covariance is consistent (pose NEES 6.2 for 6 dof) but compounding ignores
    /// the correlation between solves that share keyframe points, so long chains are optimistic:
    /// the true loop closing a 150 m synthetic loop scores χ² 49 uncorrected. Default 10.
    public var chainInflation = 10.0
    public init() {}
}

/// Recognises revisits among the odometry's keyframes, verifies them geometrically, and corrects
/// the trajectory with a pose graph over the keyframes (METHOD.md §7): odometry edges between
/// consecutive keyframes of a submap with the solve's 6×6 covariances, loop edges with theirs,
/// a χ² gate that switches off loops the rest of the graph contradicts, then every frame follows
/// its keyframe. A submap that begins after tracking loss stays in its own frame (reported as
/// such) until a loop joins it to an earlier one.
public final class LoopCloser {
    public let config: LoopClosureConfig
    public private(set) var keyframes: [KeyframeSnapshot] = []
    /// Position in `keyframes` of each keyframe's frame index.
    private var slot: [Int: Int] = [:]
    /// Loops that passed verification (whether or not the graph kept them: see `accepted`).
    public private(set) var loops: [LoopConstraint] = []
    private var index = PlaceIndex()
    private let verifier: LoopVerifier
    /// Time spent in place recognition + verification per keyframe, seconds.
    public private(set) var recognitionSeconds: [Double] = []

    public init(camera: StereoCamera, odometry: OdometryConfig = OdometryConfig(), config: LoopClosureConfig = LoopClosureConfig()) {
        self.config = config
        verifier = LoopVerifier(solver: PoseSolver(camera: camera, config: odometry))
    }

    /// Adds a keyframe: looks for a revisit among older keyframes, then indexes it.
    public func add(_ keyframe: KeyframeSnapshot) {
        let t0 = Date()
        let found = index.query(keyframe.descriptors, before: keyframe.index - config.minFrameGap, limit: config.candidates)
        for c in found where c.score >= config.minScore {
            guard let k = slot[c.frame] else { continue }
            if let loop = verifier.verify(query: keyframe, candidate: keyframes[k], score: c.score) {
                loops.append(loop)
                break
            }
        }
        index.insert(frame: keyframe.index, descriptors: keyframe.descriptors)
        slot[keyframe.index] = keyframes.count
        keyframes.append(keyframe)
        recognitionSeconds.append(Date().timeIntervalSince(t0))
    }

    /// Adds an externally made constraint (e.g. from another session, or a test's false loop).
    public func addLoop(_ loop: LoopConstraint) { loops.append(loop) }

    /// The result of a correction.
    public struct Correction: Sendable {
        /// Corrected `T_world_keyframe`, by keyframe frame index.
        public var keyframePoses: [Int: SE3]
        /// Loops the graph kept (χ² under the gate at the optimum) and those it switched off.
        public var accepted: [LoopConstraint], rejected: [LoopConstraint]
        /// Submap (connected component) of each keyframe; 0 is the first keyframe's.
        public var submap: [Int: Int]
        public var seconds: Double
    }

    /// Odometry consistency of a loop (the gate against false loops before any solve): the
    /// relative pose the odometry chain predicts between the two keyframes, compounded with its
    /// covariance along the chain, against the loop's measurement and covariance. Returns the
    /// squared Mahalanobis distance, or nil when no odometry chain joins the keyframes.
    public func odometryDistance(_ loop: LoopConstraint) -> Double? {
        guard let a = slot[loop.candidate], let b = slot[loop.query], a < b else { return nil }
        var t = SE3.identity
        var cov = Mat6()
        for k in (a + 1)...b {
            guard keyframes[k].previous == keyframes[k - 1].index, let rel = keyframes[k].relativeCovariance else { return nil }
            let step = keyframes[k - 1].pose.inverse * keyframes[k].pose
            let ad = step.inverse.adjoint
            cov = ad * cov * ad.transposed + rel
            t = t * step
        }
        let e = (loop.relative.inverse * t).log
        guard let info = (cov * config.chainInflation + loop.covariance).inverse else { return nil }
        return e.dot(info * e)
    }

    /// Solves the keyframe pose graph of every connected component (its first keyframe fixed).
    public func correct() throws(PoseGraphError) -> Correction {
        let t0 = Date()
        // Loops the odometry contradicts (beyond the χ² gate given both covariances) never enter.
        var rejected: [LoopConstraint] = []
        var usable: [(loop: LoopConstraint, a: Int, b: Int, information: Mat6)] = []
        for l in loops {
            guard let a = slot[l.candidate], let b = slot[l.query], let info = l.covariance.inverse else { continue }
            if let d = odometryDistance(l), d > config.gate { rejected.append(l) } else { usable.append((l, a, b, info)) }
        }
        // Connected components over odometry links and loops.
        var parent = Array(keyframes.indices)
        func find(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        func join(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[max(ra, rb)] = min(ra, rb) } }
        for (k, kf) in keyframes.enumerated() { if let p = kf.previous, let s = slot[p] { join(s, k) } }
        for u in usable { join(u.a, u.b) }
        var poses: [Int: SE3] = [:]
        var accepted: [LoopConstraint] = []
        var submap: [Int: Int] = [:]
        let roots = Array(Set(keyframes.indices.map(find))).sorted()
        for (number, root) in roots.enumerated() {
            let members = keyframes.indices.filter { find($0) == root }
            let local = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
            for m in members { submap[keyframes[m].index] = number }
            var factors: [any Factor<SE3>] = []
            for (j, m) in members.enumerated() {
                let kf = keyframes[m]
                guard let p = kf.previous, let s = slot[p], let i = local[s], let info = kf.relativeCovariance?.inverse else { continue }
                factors.append(BetweenFactor<SE3>(i, j, measured: keyframes[s].pose.inverse * kf.pose, information: info.elements))
            }
            let loopsHere = usable.compactMap { u -> (loop: LoopConstraint, a: Int, b: Int, information: Mat6)? in
                guard let a = local[u.a], let b = local[u.b] else { return nil }
                return (u.loop, a, b, u.information)
            }
            guard members.count > 1, !loopsHere.isEmpty else {
                for m in members { poses[keyframes[m].index] = keyframes[m].pose }
                continue
            }
            for u in loopsHere { factors.append(BetweenFactor<SE3>(u.a, u.b, measured: u.loop.relative, information: u.information.elements)) }
            var options = OptimizerOptions()
            options.outlierGate = config.gate
            options.maxIterations = 50
            let graph = FactorGraph(poses: members.map { keyframes[$0].pose }, fixed: [0], factors: factors)
            let optimizer = try PoseGraphOptimizer(graph, options: options)
            _ = try optimizer.optimize()
            let solved = optimizer.graph.poses
            for (k, m) in members.enumerated() { poses[keyframes[m].index] = solved[k] }
            // A loop is kept when its χ² at the optimum is under the gate.
            for u in loopsHere {
                let r = (u.loop.relative.inverse * (solved[u.a].inverse * solved[u.b])).log
                if r.dot(u.information * r) <= config.gate { accepted.append(u.loop) } else { rejected.append(u.loop) }
            }
        }
        return Correction(keyframePoses: poses, accepted: accepted, rejected: rejected, submap: submap,
                          seconds: Date().timeIntervalSince(t0))
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
}
