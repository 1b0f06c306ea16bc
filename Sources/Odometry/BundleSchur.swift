import Geometry
import PoseGraph

/// A 6 × 3 block (pose rows ρ then φ, point columns) as two 3 × 3 halves.
struct Block63 {
    var top: Mat3, bottom: Mat3
    static let zero = Block63(top: .zero, bottom: .zero)
    /// The 6 × 6 block self · other, row-major, written to `out` (36 values; negated with
    /// `negated`), `other` holding another block's halves already transposed. The Schur
    /// complement forms one per pair of a point's observations (self the first one's block times
    /// the point's H_ll⁻¹): into a buffer the caller keeps, not a new array each time.
    func times(transposed other: Block63, into out: UnsafeMutableBufferPointer<Double>, negated: Bool = false) {
        precondition(out.count == 36, "a 6 × 6 block needs 36 values")
        let q00 = top * other.top, q01 = top * other.bottom
        let q10 = bottom * other.top, q11 = bottom * other.bottom
        let s = negated ? -1.0 : 1.0
        for r in 0..<3 {
            for c in 0..<3 {
                out[r * 6 + c] = s * q00[r, c]; out[r * 6 + c + 3] = s * q01[r, c]
                out[(r + 3) * 6 + c] = s * q10[r, c]; out[(r + 3) * 6 + c + 3] = s * q11[r, c]
            }
        }
    }
    /// self · v (a 6-vector) for a 3-vector v.
    func times(_ v: Vec3) -> Vec6 { Vec6(top * v, bottom * v) }
    /// selfᵀ · x for a 6-vector x.
    func transposedTimes(_ x: Vec6) -> Vec3 { top.transposed * x.head + bottom.transposed * x.tail }
}

/// The normal equations of a bundle problem at its current values, in the blocks the Schur
/// complement needs: pose–pose (block diagonal: every residual has one pose), pose–point per
/// observation, point–point per point, and both gradients.
struct NormalEquations {
    /// Per pose, its 6 × 6 block row-major, one after another.
    var poseDiagonal: [Double]
    var posePoint: [Block63]          // per observation
    var pointDiagonal: [Mat3]         // per point
    var poseGradient: [Vec6]
    var pointGradient: [Vec3]

    init(_ p: BundleProblem, layout: SchurLayout, weight: (Double) -> Double) {
        var poseDiagonal = [Double](repeating: 0, count: 36 * p.poses.count)
        posePoint = Array(repeating: .zero, count: p.observations.count)
        pointDiagonal = Array(repeating: .zero, count: p.points.count)
        poseGradient = Array(repeating: Vec6(.zero, .zero), count: p.poses.count)
        pointGradient = Array(repeating: .zero, count: p.points.count)
        var h = [Double](repeating: 0, count: 36)
        for (k, o) in p.observations.enumerated() {
            guard let l = p.linearize(o) else { continue }
            let w = o.information * weight(l.residual.dot(o.information * l.residual))
            let (a, b) = l.pose, c = l.point
            let wr = w * l.residual
            pointDiagonal[o.point] += c.transposed * w * c
            pointGradient[o.point] += c.transposed * wr
            guard layout.blockOf[o.pose] >= 0 else { continue }
            let pose = Block63(top: a.transposed, bottom: b.transposed)
            // (Jᵀ W) once, for both the pose–point block and the pose block.
            let weighted = Block63(top: pose.top * w, bottom: pose.bottom * w)
            posePoint[k] = Block63(top: weighted.top * c, bottom: weighted.bottom * c)
            h.withUnsafeMutableBufferPointer { weighted.times(transposed: Block63(top: a, bottom: b), into: $0) }
            poseDiagonal.withUnsafeMutableBufferPointer { d in
                for i in 0..<36 { d[o.pose * 36 + i] += h[i] }
            }
            poseGradient[o.pose] = poseGradient[o.pose] + pose.times(wr)
        }
        self.poseDiagonal = poseDiagonal
    }

    /// Pose `k`'s 6 × 6 block (row-major) in `body`.
    func withPoseBlock<R>(_ k: Int, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        poseDiagonal.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(k * 36)..<(k * 36 + 36)])) }
    }
}

/// Which poses are unknowns, which pose pairs the points couple, and the sparse solver of the
/// reduced system (pattern and symbolic analysis built once per problem).
struct SchurLayout {
    /// Block of each pose in the reduced system, −1 for fixed poses.
    let blockOf: [Int]
    /// Observations of each point, and the pose of each observation.
    let observationsOf: [[Int]]
    let poseOf: [Int]
    let system: SparseBlockSystem?

    init(_ p: BundleProblem) throws(PoseGraphError) {
        var blockOf = [Int](repeating: -1, count: p.poses.count), n = 0
        for k in p.poses.indices where !p.fixed.contains(k) { blockOf[k] = n; n += 1 }
        var observationsOf = [[Int]](repeating: [], count: p.points.count)
        for (k, o) in p.observations.enumerated() { observationsOf[o.point].append(k) }
        var couplings: [(Int, Int)] = []
        var blocks: [Int] = []
        for list in observationsOf {
            // The free poses that see the point, each once, ascending.
            blocks.removeAll(keepingCapacity: true)
            for k in list where blockOf[p.observations[k].pose] >= 0 { blocks.append(blockOf[p.observations[k].pose]) }
            blocks.sort()
            var previous = -1
            for (x, a) in blocks.enumerated() where a != previous {
                previous = a
                var last = -1
                for b in blocks[x...] where b != last { couplings.append((a, b)); last = b }
            }
        }
        self.blockOf = blockOf
        self.observationsOf = observationsOf
        poseOf = p.observations.map(\.pose)
        system = n > 0 ? try SparseBlockSystem(blockSize: 6, blocks: n, couplings: couplings) : nil
    }

    /// The damped step: pose increments (zero for fixed poses) and point increments.
    struct Step { var poses: [Vec6]; var points: [Vec3] }

    func solve(_ e: NormalEquations, damping: Double) throws(PoseGraphError) -> Step {
        let pointInverse = e.pointDiagonal.map { ($0 + Mat3.identity * damping).inverse ?? .zero }
        var poses = [Vec6](repeating: Vec6(.zero, .zero), count: blockOf.count)
        if let system {
            system.reset()
            var rhs = [Double](repeating: 0, count: system.blocks * 6)
            for (k, b) in blockOf.enumerated() where b >= 0 {
                e.withPoseBlock(k) { system.add(row: b, column: b, $0) }
                for i in 0..<6 { rhs[b * 6 + i] -= e.poseGradient[k][i] }
            }
            system.addToDiagonal(damping)
            var block = [Double](repeating: 0, count: 36)
            // Per observation of the current point: its block times the point's H_ll⁻¹, and its
            // block's halves transposed, each formed once for all the pairs it is in.
            var weighted: [Block63] = [], transposed: [Block63] = []
            for (i, list) in observationsOf.enumerated() {
                let m = pointInverse[i]
                weighted.removeAll(keepingCapacity: true)
                transposed.removeAll(keepingCapacity: true)
                for a in list {
                    weighted.append(Block63(top: e.posePoint[a].top * m, bottom: e.posePoint[a].bottom * m))
                    transposed.append(Block63(top: e.posePoint[a].top.transposed, bottom: e.posePoint[a].bottom.transposed))
                }
                for (x, a) in list.enumerated() {
                    let ba = blockOf[poseOf[a]]
                    guard ba >= 0 else { continue }
                    let g = e.posePoint[a].times(m * e.pointGradient[i])
                    for r in 0..<6 { rhs[ba * 6 + r] += g[r] }
                    for (y, b) in list.enumerated() {
                        let bb = blockOf[poseOf[b]]
                        guard bb >= ba else { continue }
                        block.withUnsafeMutableBufferPointer { out in
                            weighted[x].times(transposed: transposed[y], into: out, negated: true)
                            system.add(row: ba, column: bb, UnsafeBufferPointer(out))
                        }
                    }
                }
            }
            let delta = try system.solve(rhs)
            for (k, b) in blockOf.enumerated() where b >= 0 { poses[k] = Vec6(Array(delta[(b * 6)..<(b * 6 + 6)])) }
        }
        let points = observationsOf.enumerated().map { i, list in
            var g = e.pointGradient[i] * -1
            for a in list where blockOf[poseOf[a]] >= 0 { g = g - e.posePoint[a].transposedTimes(poses[poseOf[a]]) }
            return pointInverse[i] * g
        }
        return Step(poses: poses, points: points)
    }

    func apply(_ step: Step, to p: inout BundleProblem) {
        for k in p.poses.indices where blockOf[k] >= 0 { p.poses[k] = p.poses[k] * SE3.exp(step.poses[k]) }
        for i in p.points.indices { p.points[i] = p.points[i] + step.points[i] }
    }
}
