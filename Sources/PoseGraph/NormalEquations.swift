import Foundation
import Geometry

/// Per-factor data of a graph, flattened into buffers allocated once, so the normal equations
/// can be assembled every iteration without allocation or dynamic dispatch for relative-pose
/// factors.
final class FactorLayout<Pose: ManifoldPose> {
    let count: Int
    let keyStart: UnsafeMutableBufferPointer<Int>     // count + 1
    let blocks: UnsafeMutableBufferPointer<Int>       // variable block per key, −1 if fixed
    let posStart: UnsafeMutableBufferPointer<Int>     // count + 1
    let positions: UnsafeMutableBufferPointer<Int>    // K·K per factor, −1 when not stored
    let infoStart: UnsafeMutableBufferPointer<Int>    // count + 1
    let info: UnsafeMutableBufferPointer<Double>
    let dims: UnsafeMutableBufferPointer<Int>
    let columnPointers: UnsafeMutableBufferPointer<Int>
    /// The measured pose of each `BetweenFactor` (for the direct path), else nil.
    let between: [(i: Int, j: Int, z: Pose)?]
    let maxDim: Int, maxKeys: Int

    init(_ factors: [any Factor<Pose>], blockOf: [Int], pattern: BlockPattern) {
        count = factors.count
        let keyLists = factors.map(\.keys)
        let infos = factors.map(\.information)
        keyStart = .allocate(capacity: count + 1); posStart = .allocate(capacity: count + 1)
        infoStart = .allocate(capacity: count + 1); dims = .allocate(capacity: max(count, 1))
        var nk = 0, np = 0, ni = 0
        for f in 0..<count {
            keyStart[f] = nk; posStart[f] = np; infoStart[f] = ni
            nk += keyLists[f].count; np += keyLists[f].count * keyLists[f].count; ni += infos[f].count
            dims[f] = factors[f].residualDimension
        }
        keyStart[count] = nk; posStart[count] = np; infoStart[count] = ni
        blocks = .allocate(capacity: max(nk, 1)); positions = .allocate(capacity: max(np, 1))
        info = .allocate(capacity: max(ni, 1))
        for f in 0..<count {
            let b = keyLists[f].map { blockOf[$0] }
            for (x, bx) in b.enumerated() {
                blocks[keyStart[f] + x] = bx
                for (y, by) in b.enumerated() {
                    positions[posStart[f] + x * b.count + y] = bx >= 0 && by >= 0 && bx <= by && (x == y || bx != by)
                        ? pattern.position(row: bx, column: by) : -1
                }
            }
            for (k, v) in infos[f].enumerated() { info[infoStart[f] + k] = v }
        }
        columnPointers = .allocate(capacity: pattern.columnPointers.count)
        for (k, v) in pattern.columnPointers.enumerated() { columnPointers[k] = Int(v) }
        between = factors.map { f in (f as? BetweenFactor<Pose>).map { ($0.i, $0.j, $0.measured) } }
        maxDim = factors.map(\.residualDimension).max() ?? Pose.dof
        maxKeys = keyLists.map(\.count).max() ?? 2
    }

    deinit {
        keyStart.deallocate(); blocks.deallocate(); posStart.deallocate(); positions.deallocate()
        infoStart.deallocate(); info.deallocate(); dims.deallocate(); columnPointers.deallocate()
    }
}

extension PoseGraphOptimizer {
    /// Builds `H = Σ ρ' Jᵀ Λ J` (into CHOLMOD's values and `undamped`) and `g = Σ ρ' Jᵀ Λ r` at
    /// the current poses; returns the robust objective.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    @discardableResult func linearize() -> Double {
        let d = Pose.dof, layout = self.layout
        let values = cholesky.values, nnz = cholesky.nonZeros
        values.update(repeating: 0, count: nnz)
        let maxM = layout.maxDim, maxK = layout.maxKeys
        let r = UnsafeMutablePointer<Double>.allocate(capacity: maxM)
        let wr = UnsafeMutablePointer<Double>.allocate(capacity: maxM)
        let jac = UnsafeMutablePointer<Double>.allocate(capacity: maxK * maxM * d)
        let wj = UnsafeMutablePointer<Double>.allocate(capacity: maxK * maxM * d)
        let jp = UnsafeMutablePointer<UnsafeMutablePointer<Double>>.allocate(capacity: maxK)
        let g = UnsafeMutablePointer<Double>.allocate(capacity: gradient.count)
        g.initialize(repeating: 0, count: gradient.count)
        defer { r.deallocate(); wr.deallocate(); jac.deallocate(); wj.deallocate(); jp.deallocate(); g.deallocate() }
        for a in 0..<maxK { jp[a] = jac + a * maxM * d }
        let poses = graph.poses, factors = graph.factors, kernel = options.kernel
        let colPtr = layout.columnPointers.baseAddress!
        var cost = 0.0
        for fi in 0..<layout.count where active[fi] {
            let m = layout.dims[fi], info = layout.info.baseAddress! + layout.infoStart[fi]
            let kb = layout.keyStart[fi], kc = layout.keyStart[fi + 1] - kb
            let blocks = layout.blocks.baseAddress! + kb, pos = layout.positions.baseAddress! + layout.posStart[fi]
            if let b = layout.between[fi] {
                cost += accumulateBetween(b.z, poses[b.i], poses[b.j], blocks: blocks, positions: pos, info: info,
                                          scratch: (r, wr, jp[0], jp[1], wj, wj + maxM * d), gradient: g,
                                          values: values, columnPointers: colPtr, kernel: kernel)
                continue
            }
            factors[fi].linearize(poses, residual: r, jacobians: jp)
            var s = 0.0
            for a in 0..<m {
                var acc = 0.0
                for c in 0..<m { acc += info[a * m + c] * r[c] }
                wr[a] = acc; s += r[a] * acc
            }
            cost += kernel.rho(s)
            let w = kernel.weight(s)
            if w != 1 { for a in 0..<m { wr[a] *= w } }
            for x in 0..<kc where blocks[x] >= 0 {
                let j = jp[x], out = wj + x * maxM * d, bx = blocks[x]
                for a in 0..<m {
                    for c in 0..<d {
                        var acc = 0.0
                        for k in 0..<m { acc += info[a * m + k] * j[k * d + c] }
                        out[a * d + c] = w * acc
                    }
                }
                for c in 0..<d {
                    var acc = 0.0
                    for a in 0..<m { acc += j[a * d + c] * wr[a] }
                    g[bx * d + c] += acc
                }
            }
            for x in 0..<kc { for y in 0..<kc {
                let p = pos[x * kc + y]
                if p < 0 { continue }
                let jx = jp[x], wy = wj + y * maxM * d, col = blocks[y]
                for c in 0..<d {
                    let base = values + colPtr[col * d + c] + p * d
                    let rows = x == y ? c + 1 : d
                    for rr in 0..<rows {
                        var acc = 0.0
                        for a in 0..<m { acc += jx[a * d + rr] * wy[a * d + c] }
                        base[rr] += acc
                    }
                }
            } }
        }
        for k in 0..<gradient.count { gradient[k] = g[k] }
        undamped.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: values, count: nnz) }
        return cost
    }

    /// The relative-pose fast path of `linearize`, with the block size a compile-time constant
    /// after specialisation. Returns the factor's robust cost.
    @inline(__always)
    private func accumulateBetween(
        _ z: Pose, _ ti: Pose, _ tj: Pose, blocks: UnsafePointer<Int>, positions: UnsafePointer<Int>,
        info: UnsafePointer<Double>,
        scratch: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                  UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>),
        gradient g: UnsafeMutablePointer<Double>, values: UnsafeMutablePointer<Double>,
        columnPointers: UnsafePointer<Int>, kernel: RobustKernel
    ) -> Double {
        let dd = Pose.dof
        let (r, wr, ji, jj, wji, wjj) = scratch
        let bi = blocks[0], bj = blocks[1]
        Pose.betweenResidual(measured: z, ti, tj, residual: r, jacobianI: bi >= 0 ? ji : nil, jacobianJ: bj >= 0 ? jj : nil)
        var s = 0.0
        for a in 0..<dd {
            var acc = 0.0
            for c in 0..<dd { acc += info[a * dd + c] * r[c] }
            wr[a] = acc; s += r[a] * acc
        }
        let w = kernel.weight(s)
        if w != 1 { for a in 0..<dd { wr[a] *= w } }   // as the general path: bit-identical results
        @inline(__always) func weigh(_ j: UnsafeMutablePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ b: Int) {
            for a in 0..<dd {
                for c in 0..<dd {
                    var acc = 0.0
                    for k in 0..<dd { acc += info[a * dd + k] * j[k * dd + c] }
                    out[a * dd + c] = w * acc
                }
            }
            for c in 0..<dd {
                var acc = 0.0
                for a in 0..<dd { acc += j[a * dd + c] * wr[a] }
                g[b * dd + c] += acc
            }
        }
        @inline(__always) func block(_ jx: UnsafeMutablePointer<Double>, _ wy: UnsafeMutablePointer<Double>,
                                     column: Int, position p: Int, diagonal: Bool) {
            for c in 0..<dd {
                let base = values + columnPointers[column * dd + c] + p * dd
                for rr in 0..<(diagonal ? c + 1 : dd) {
                    var acc = 0.0
                    for a in 0..<dd { acc += jx[a * dd + rr] * wy[a * dd + c] }
                    base[rr] += acc
                }
            }
        }
        if bi >= 0 { weigh(ji, wji, bi); block(ji, wji, column: bi, position: positions[0], diagonal: true) }
        if bj >= 0 { weigh(jj, wjj, bj); block(jj, wjj, column: bj, position: positions[3], diagonal: true) }
        if bi >= 0 && bj >= 0 {
            if bi < bj { block(ji, wjj, column: bj, position: positions[1], diagonal: false) }
            else { block(jj, wji, column: bi, position: positions[2], diagonal: false) }
        }
        return kernel.rho(s)
    }
}
