import Foundation
import Geometry

/// How to obtain starting values for the optimisation.
public enum InitializationMethod: String, Sendable, CaseIterable {
    /// The estimates in the file.
    case file
    /// Chordal relaxation of the rotations, then linear translations (as GTSAM's InitializePose3).
    case chordal
    /// Composition of the measurements along a spanning tree that prefers odometry edges.
    case tree
}

/// Starting values for pose graphs.
public enum Initialization {
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
        // Rotations: unknown x_i = row q of R_i (as a column), one right-hand side per row q.
        var rotTerms: [LinearTerm] = []
        rotTerms.reserveCapacity(edges.count)
        for e in edges {
            var w = 0.0
            for a in rotOffset..<dof { w += e.information[a * dof + a] }
            w /= Double(dof - rotOffset)
            let z = e.measured.rotationElements
            var negZt = [Double](repeating: 0, count: k * k), eye = [Double](repeating: 0, count: k * k)
            for r in 0..<k { eye[r * k + r] = 1; for c in 0..<k { negZt[r * k + c] = -z[c * k + r] } }
            var weight = [Double](repeating: 0, count: k * k)
            for r in 0..<k { weight[r * k + r] = w }
            rotTerms.append(LinearTerm(keys: [e.i, e.j], jacobians: [negZt, eye], weight: weight,
                                       target: [[Double]](repeating: [Double](repeating: 0, count: k), count: k)))
        }
        let anchorRot = Dictionary(uniqueKeysWithValues: anchors.map { a in
            let m = graph.poses[a].rotationElements
            return (a, (0..<k).map { q in Array(m[(q * k)..<(q * k + k)]) })
        })
        let system = try LinearLeastSquares(k: k, count: graph.poses.count, keyLists: edges.map { [$0.i, $0.j] }, anchored: anchors)
        let rows = try system.solve(rotTerms, anchors: anchorRot, columns: k)
        var rotations = [[Double]](repeating: [], count: graph.poses.count)
        for v in graph.poses.indices {
            var m = [Double](repeating: 0, count: k * k)
            for q in 0..<k { for c in 0..<k { m[q * k + c] = rows[v][q][c] } }
            rotations[v] = P(projectingRotation: m, translation: [Double](repeating: 0, count: k)).rotationElements
        }
        for a in anchors { rotations[a] = graph.poses[a].rotationElements }
        // Translations, rotations held: residual R_iᵀ t_j − R_iᵀ t_i − z.
        var transTerms: [LinearTerm] = []
        transTerms.reserveCapacity(edges.count)
        for e in edges {
            let ri = rotations[e.i]
            var rit = [Double](repeating: 0, count: k * k), neg = [Double](repeating: 0, count: k * k)
            for r in 0..<k { for c in 0..<k { rit[r * k + c] = ri[c * k + r]; neg[r * k + c] = -ri[c * k + r] } }
            var weight = [Double](repeating: 0, count: k * k)
            for r in 0..<k { for c in 0..<k { weight[r * k + c] = e.information[r * dof + c] } }
            transTerms.append(LinearTerm(keys: [e.i, e.j], jacobians: [neg, rit], weight: weight,
                                         target: [e.measured.translationElements]))
        }
        let anchorTrans = Dictionary(uniqueKeysWithValues: anchors.map { ($0, [graph.poses[$0].translationElements]) })
        let trans = try system.solve(transTerms, anchors: anchorTrans, columns: 1)
        return graph.poses.indices.map { v in
            anchors.contains(v) ? graph.poses[v] : P(projectingRotation: rotations[v], translation: trans[v][0])
        }
    }
}

/// One term `‖Σ J_a x_a − z‖²_W` of a linear least-squares problem with `k`-vector unknowns.
struct LinearTerm {
    var keys: [Int]
    /// Row-major `k × k` per key.
    var jacobians: [[Double]]
    /// Row-major `k × k` weight.
    var weight: [Double]
    /// One target `k`-vector per right-hand side.
    var target: [[Double]]
}

/// Sparse linear least squares in `k`-vector unknowns by the normal equations and CHOLMOD; the
/// pattern and the symbolic analysis are built once and reused by every `solve` with the same
/// keys (the chordal rotation and translation systems share them).
final class LinearLeastSquares {
    let k: Int, count: Int
    private let blockOf: [Int]
    private let nb: Int
    private let pattern: BlockPattern
    private let chol: SparseCholesky?

    /// `keyLists` are the variables of each term; `anchored` variables are held at given values.
    init(k: Int, count: Int, keyLists: [[Int]], anchored: Set<Int>) throws(PoseGraphError) {
        self.k = k; self.count = count
        var blockOf = [Int](repeating: -1, count: count)
        var nb = 0
        for v in 0..<count where !anchored.contains(v) { blockOf[v] = nb; nb += 1 }
        self.blockOf = blockOf; self.nb = nb
        var pairs: [(Int, Int)] = []
        for keys in keyLists {
            for a in keys where blockOf[a] >= 0 { for b in keys where blockOf[b] >= 0 { pairs.append((blockOf[a], blockOf[b])) } }
        }
        pattern = BlockPattern(d: k, blocks: nb, pairs: pairs)
        chol = nb > 0 ? try SparseCholesky(pattern: pattern) : nil
    }

    /// Solves for `columns` right-hand sides; anchored variables hold `anchors` (one `k`-vector
    /// per right-hand side). Returns, per variable, one `k`-vector per right-hand side.
    func solve(_ terms: [LinearTerm], anchors: [Int: [[Double]]], columns: Int) throws(PoseGraphError) -> [[[Double]]] {
        let k = self.k, blockOf = self.blockOf, nb = self.nb, pattern = self.pattern
        var result = (0..<count).map { anchors[$0] ?? [[Double]](repeating: [Double](repeating: 0, count: k), count: columns) }
        guard let chol else { return result }
        chol.values.update(repeating: 0, count: chol.nonZeros)
        let n = nb * k
        var rhs = [Double](repeating: 0, count: n * columns)
        let values = chol.values
        for t in terms {
            // WJ_a for every key.
            let wj: [[Double]] = t.jacobians.map { j in
                var out = [Double](repeating: 0, count: k * k)
                for r in 0..<k { for c in 0..<k { var s = 0.0; for m in 0..<k { s += t.weight[r * k + m] * j[m * k + c] }; out[r * k + c] = s } }
                return out
            }
            for col in 0..<columns {
                // Effective target: z minus the anchored variables' contribution.
                var z = t.target[min(col, t.target.count - 1)]
                for (x, a) in t.keys.enumerated() where blockOf[a] < 0 {
                    let xa = result[a][col]
                    for r in 0..<k { for c in 0..<k { z[r] -= t.jacobians[x][r * k + c] * xa[c] } }
                }
                var wz = [Double](repeating: 0, count: k)
                for r in 0..<k { for c in 0..<k { wz[r] += t.weight[r * k + c] * z[c] } }
                for (x, a) in t.keys.enumerated() where blockOf[a] >= 0 {
                    for c in 0..<k { var s = 0.0; for r in 0..<k { s += t.jacobians[x][r * k + c] * wz[r] }; rhs[col * n + blockOf[a] * k + c] += s }
                }
            }
            for (x, a) in t.keys.enumerated() where blockOf[a] >= 0 {
                for (y, b) in t.keys.enumerated() where blockOf[b] >= 0 && blockOf[a] <= blockOf[b] && (x == y || a != b) {
                    let p = pattern.position(row: blockOf[a], column: blockOf[b])
                    for c in 0..<k {
                        for r in 0..<(x == y ? c + 1 : k) {
                            var s = 0.0
                            for m in 0..<k { s += t.jacobians[x][m * k + r] * wj[y][m * k + c] }
                            values[pattern.index(column: blockOf[b], position: p, r: r, c: c)] += s
                        }
                    }
                }
            }
        }
        try chol.factorize()
        let x = try chol.solve(rhs, columns: columns)
        for v in 0..<count where blockOf[v] >= 0 {
            for col in 0..<columns { result[v][col] = (0..<k).map { x[col * n + blockOf[v] * k + $0] } }
        }
        return result
    }
}
