import Foundation
import Geometry

/// How to obtain starting values for the optimisation.
public enum InitializationMethod: String, Sendable, CaseIterable {
    /// Chordal, falling back to the file's estimates when the chordal relaxation fails
    /// (`Initialization.automatic`).
    case auto
    /// The estimates in the file.
    case file
    /// Chordal relaxation of the rotations, then linear translations (as GTSAM's InitializePose3).
    case chordal
    /// Composition of the measurements along a spanning tree that prefers odometry edges.
    case tree
}

/// Starting values for pose graphs.
public enum Initialization {
    /// Starting values by `method`, and the method that produced them (`.auto` resolves to
    /// `.chordal`, or to `.file` when the chordal relaxation throws).
    ///
    /// Chordal is the default because Levenberg–Marquardt started from poses with large rotational
    /// errors stops in a worse local minimum, while the chordal relaxation starts it near the
    /// global one (measured on the standard benchmark graphs in BENCHMARKS.md).
    public static func initialize<P: ManifoldPose>(_ graph: FactorGraph<P>, method: InitializationMethod)
        throws(PoseGraphError) -> (poses: [P], used: InitializationMethod, fallbackReason: PoseGraphError?) {
        switch method {
        case .file: return (graph.poses, .file, nil)
        case .chordal: return (try chordal(graph), .chordal, nil)
        case .tree: return (try spanningTree(graph), .tree, nil)
        case .auto:
            do { return (try chordal(graph), .chordal, nil) } catch { return (graph.poses, .file, error) }
        }
    }

    /// The root of the gauge: the first fixed pose, else pose 0.
    static func root<P>(_ graph: FactorGraph<P>) -> Int { graph.fixed.min() ?? 0 }

    /// Poses composed along a spanning tree of the relative-pose factors, from the root pose
    /// (which keeps its current value). Tree edges are chosen by Kruskal's method with the
    /// weight |i − j|, so odometry chains are followed before loop closures.
    @_specialize(where P == SE3) @_specialize(where P == SE2)
    public static func spanningTree<P: ManifoldPose>(_ graph: FactorGraph<P>) throws(PoseGraphError) -> [P] {
        let n = graph.poses.count
        let edges = graph.betweenFactors
        let order = edges.indices.sorted { a, b in
            let da = abs(edges[a].i - edges[a].j), db = abs(edges[b].i - edges[b].j)
            return da != db ? da < db : a < b
        }
        var uf = UnionFind(n)
        var adjacency = [[Int]](repeating: [], count: n)
        for e in order where uf.union(edges[e].i, edges[e].j) {
            adjacency[edges[e].i].append(e); adjacency[edges[e].j].append(e)
        }
        let root = root(graph)
        var poses = graph.poses
        var reached = [Bool](repeating: false, count: n)
        reached[root] = true
        var queue = [root], head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for e in adjacency[v] {
                let f = edges[e]
                let other = f.i == v ? f.j : f.i
                if reached[other] { continue }
                poses[other] = f.i == v ? poses[v] * f.measured : poses[v] * f.measured.inverse
                reached[other] = true
                queue.append(other)
            }
        }
        if let missing = reached.firstIndex(of: false) {
            let roots = Set((0..<n).map { uf.find($0) }).count
            throw .disconnected(components: roots, example: graph.ids[missing])
        }
        return poses
    }

    /// Chordal initialisation: the rotations minimise `Σ w ‖R_j − R_i Z_ij‖²_F` over all
    /// matrices (a sparse linear least-squares problem solved with the same Cholesky, the root's
    /// and fixed poses' rotations held), each projected to the nearest rotation; then the
    /// translations minimise `Σ ‖R_iᵀ(t_j − t_i) − z_ij‖²` weighted by the translational
    /// information, with the rotations held. `w` is the mean rotational information.
    @_specialize(where P == SE3) @_specialize(where P == SE2)
    public static func chordal<P: ManifoldPose>(_ graph: FactorGraph<P>) throws(PoseGraphError) -> [P] {
        try graph.validateConnectivity()
        let k = P.rotationDimension, dof = P.dof
        let rotOffset = dof - (k == 3 ? 3 : 1)
        var anchors = graph.fixed
        if anchors.isEmpty { anchors = [0] }
        let edges = graph.betweenFactors
        let n = graph.poses.count, kk = k * k
        let system = try LinearLeastSquares(k: k, count: n, pairs: edges.map { ($0.i, $0.j) }, anchored: anchors)
        // Rotations: unknown x_i = row q of R_i (as a column), one right-hand side per row q:
        // x_j − Z_ijᵀ x_i = 0, weighted by the mean rotational information.
        var rot = PairTerms(k: k, count: edges.count)
        for (e, f) in edges.enumerated() {
            var w = 0.0
            for a in rotOffset..<dof { w += f.information[a * dof + a] }
            w /= Double(dof - rotOffset)
            let z = f.measured.rotationElements
            for r in 0..<k {
                rot.jj[e * kk + r * k + r] = 1
                rot.weight[e * kk + r * k + r] = w
                for c in 0..<k { rot.ji[e * kk + r * k + c] = -z[c * k + r] }
            }
        }
        var anchorRot = [Int: [Double]]()
        for a in anchors { anchorRot[a] = graph.poses[a].rotationElements }   // row q = column q of x
        let rows = try system.solve(rot, anchors: anchorRot, columns: k)
        var rotations = [[Double]](repeating: [], count: n)
        for v in 0..<n {
            // rows[(v·k + q)·k + c] is element c of row q.
            let m = Array(rows[(v * kk)..<(v * kk + kk)])
            rotations[v] = anchors.contains(v) ? graph.poses[v].rotationElements
                : P(projectingRotation: m, translation: [Double](repeating: 0, count: k)).rotationElements
        }
        // Translations, rotations held: R_iᵀ t_j − R_iᵀ t_i − z_ij, weighted by the translational information.
        var trans = PairTerms(k: k, count: edges.count)
        for (e, f) in edges.enumerated() {
            let ri = rotations[f.i], zt = f.measured.translationElements
            for r in 0..<k {
                trans.target[e * k + r] = zt[r]
                for c in 0..<k {
                    trans.jj[e * kk + r * k + c] = ri[c * k + r]
                    trans.ji[e * kk + r * k + c] = -ri[c * k + r]
                    trans.weight[e * kk + r * k + c] = f.information[r * dof + c]
                }
            }
        }
        var anchorTrans = [Int: [Double]]()
        for a in anchors { anchorTrans[a] = graph.poses[a].translationElements }
        let t = try system.solve(trans, anchors: anchorTrans, columns: 1)
        return (0..<n).map { v in
            anchors.contains(v) ? graph.poses[v]
                : P(projectingRotation: rotations[v], translation: Array(t[(v * k)..<(v * k + k)]))
        }
    }
}

