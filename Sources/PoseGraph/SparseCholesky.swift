import CCholmod
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CHOLMOD's supernodal code asks OpenMP for a fixed 4 threads (CHOLMOD_OMP_NUM_THREADS), which
/// oversubscribes small or busy machines. Dynamic adjustment lets the runtime give fewer threads
/// when the cores are taken. Set once, before the first factorisation; a no-op without OpenMP.
private let enableDynamicOpenMPThreads: Void = {
    #if canImport(Glibc)
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_dynamic") {
        typealias SetDynamic = @convention(c) (Int32) -> Void
        unsafeBitCast(symbol, to: SetDynamic.self)(1)
    }
    #endif
}()

/// Serialises the CHOLMOD calls that reach process-wide state: the numeric factorisation and the
/// solve call BLAS/LAPACK, and a single-threaded BLAS build (Debian's libopenblas0-serial, which
/// this package installs) shares its work buffers between callers without locking, so two
/// factorisations at once (the window's adjustment beside the loop closer's correction, or two
/// pipelines in one process) corrupt each other's results at random; the symbolic analysis may
/// call METIS, whose random state is global, so concurrent orderings would differ from run to
/// run. Each call takes milliseconds, so the pipeline's threads barely wait on it.
private let cholmodLock = NSLock()

/// The block sparsity of the normal equations `H = Jᵀ Λ J` of a pose graph, stored as CHOLMOD
/// upper-triangular compressed columns, with every block's position precomputed.
struct BlockPattern {
    /// Block size (pose degrees of freedom).
    let d: Int
    /// Number of variable blocks.
    let blocks: Int
    /// Column pointers (length `blocks·d + 1`) and row indices, CHOLMOD's `p` and `i`.
    var columnPointers: [Int32] = []
    var rowIndices: [Int32] = []
    /// For each block column, its block rows ≤ the column, ascending (the diagonal last).
    var rowsOfColumn: [[Int]] = []
    /// Value index of every diagonal entry.
    var diagonal: [Int] = []

    /// Builds the pattern from the block pairs that factors couple (any order, duplicates fine).
    init(d: Int, blocks: Int, pairs: [(Int, Int)]) {
        self.d = d; self.blocks = blocks
        var sets = [Set<Int>](repeating: [], count: blocks)
        for (a, b) in pairs where a != b { sets[max(a, b)].insert(min(a, b)) }
        rowsOfColumn = (0..<blocks).map { sets[$0].sorted() + [$0] }
        let n = blocks * d
        columnPointers.reserveCapacity(n + 1)
        columnPointers.append(0)
        var nnz = 0
        for j in 0..<blocks {
            let off = rowsOfColumn[j].count - 1
            for c in 0..<d { nnz += off * d + c + 1; columnPointers.append(Int32(nnz)) }
        }
        rowIndices.reserveCapacity(nnz)
        diagonal.reserveCapacity(n)
        for j in 0..<blocks {
            let rows = rowsOfColumn[j]
            for c in 0..<d {
                for i in rows.dropLast() { for r in 0..<d { rowIndices.append(Int32(i * d + r)) } }
                for r in 0...c { rowIndices.append(Int32(j * d + r)) }
                diagonal.append(Int(columnPointers[j * d + c]) + (rows.count - 1) * d + c)
            }
        }
    }

    /// The position of block row `i` in block column `j` (`i ≤ j`, the pair must be coupled).
    func position(row i: Int, column j: Int) -> Int {
        let rows = rowsOfColumn[j]
        var lo = 0, hi = rows.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < i { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// Value index of entry (`i·d + r`, `j·d + c`) given the block position `pos` of row `i` in column `j`.
    @inline(__always) func index(column j: Int, position pos: Int, r: Int, c: Int) -> Int {
        Int(columnPointers[j * d + c]) + pos * d + r
    }
}

/// How CHOLMOD factorises.
public enum FactorizationMethod: String, Sendable, CaseIterable {
    /// Supernodal LLᵀ (dense BLAS kernels on supernodes).
    case supernodal
    /// Simplicial (column by column) LLᵀ, no BLAS.
    case simplicial
    /// CHOLMOD's choice by flops per nonzero of L.
    case automatic = "auto"
}

/// A symmetric positive-definite sparse matrix with a fixed pattern and its supernodal Cholesky
/// factor (CHOLMOD). The symbolic analysis (fill-reducing ordering) runs once, on the first
/// factorisation; later factorisations reuse it.
final class SparseCholesky {
    private let common: UnsafeMutablePointer<cholmod_common>
    private var matrix: UnsafeMutablePointer<cholmod_sparse>?
    private var factor: UnsafeMutablePointer<cholmod_factor>?
    let n: Int
    /// The matrix's values, in the pattern's order (fill before `factorize`).
    let values: UnsafeMutablePointer<Double>
    let nonZeros: Int
    private let blockColumns: [[Int]]
    private let blockSize: Int
    /// Seconds spent in the symbolic analysis.
    private(set) var analyzeSeconds = 0.0
    /// Symbolic analyses done (1 after the first factorisation, however many follow).
    private(set) var analyses = 0

    init(pattern: BlockPattern, method: FactorizationMethod = .automatic) throws(PoseGraphError) {
        enableDynamicOpenMPThreads
        common = .allocate(capacity: 1)
        cholmod_start(common)
        common.pointee.print = 0
        switch method {
        case .supernodal: common.pointee.supernodal = Int32(CHOLMOD_SUPERNODAL)
        case .simplicial:
            common.pointee.supernodal = Int32(CHOLMOD_SIMPLICIAL)
        case .automatic: common.pointee.supernodal = Int32(CHOLMOD_AUTO)
        }
        // LLᵀ in every mode: a simplicial LDLᵀ would "succeed" on indefinite matrices.
        common.pointee.final_ll = 1
        common.pointee.quick_return_if_not_posdef = 1
        n = pattern.blocks * pattern.d
        blockColumns = pattern.rowsOfColumn
        blockSize = pattern.d
        nonZeros = pattern.rowIndices.count
        guard let a = cholmod_allocate_sparse(n, n, nonZeros, 1, 1, 1, Int32(CHOLMOD_REAL), common) else {
            cholmod_finish(common); common.deallocate()
            throw .cholmod(status: -2, stage: "allocation of a \(n)×\(n) matrix")
        }
        matrix = a
        let p = a.pointee.p.assumingMemoryBound(to: Int32.self)
        let i = a.pointee.i.assumingMemoryBound(to: Int32.self)
        for k in 0...n { p[k] = pattern.columnPointers[k] }
        for k in 0..<nonZeros { i[k] = pattern.rowIndices[k] }
        values = a.pointee.x.assumingMemoryBound(to: Double.self)
        values.initialize(repeating: 0, count: nonZeros)
    }

    deinit {
        if factor != nil { cholmod_free_factor(&factor, common) }
        if matrix != nil { cholmod_free_sparse(&matrix, common) }
        cholmod_finish(common)
        common.deallocate()
    }

    /// Factorises the current values; throws `.notPositiveDefinite` when the matrix is not SPD.
    func factorize() throws(PoseGraphError) {
        if factor == nil {
            let t = now()
            factor = cholmodLock.withLock {
                var perm = blockOrdering()
                if getenv("PARALLAX_CHOLMOD_STATS") != nil { print("block ordering: \(now() - t) s") }
                common.pointee.nmethods = 1
                common.pointee.method.0.ordering = Int32(perm == nil ? CHOLMOD_AMD : CHOLMOD_GIVEN)
                return perm == nil ? cholmod_analyze(matrix, common) : cholmod_analyze_p(matrix, &perm!, nil, 0, common)
            }
            analyzeSeconds = now() - t
            analyses += 1
            if getenv("PARALLAX_CHOLMOD_STATS") != nil {
                print("cholmod analyze: n \(n) nnz(A) \(nonZeros) nnz(L) \(common.pointee.lnz) flops \(common.pointee.fl) ordering \(common.pointee.selected) \(analyzeSeconds) s")
            }
            guard factor != nil, common.pointee.status >= CHOLMOD_OK else {
                throw .cholmod(status: common.pointee.status, stage: "symbolic analysis")
            }
        }
        let ok = cholmodLock.withLock { cholmod_factorize(matrix, factor, common) }
        if common.pointee.status == CHOLMOD_NOT_POSDEF {
            throw .notPositiveDefinite(column: Int(factor!.pointee.minor), of: n)
        }
        guard ok != 0, common.pointee.status >= CHOLMOD_OK else {
            throw .cholmod(status: common.pointee.status, stage: "numeric factorisation")
        }
    }

    /// A fill-reducing ordering of the block graph (one node per pose), AMD or METIS by CHOLMOD's
    /// flop count, expanded to the scalar unknowns so
    /// that each pose's unknowns stay together. Ordering the small block graph is far cheaper than
    /// ordering the scalar matrix. `nil` if CHOLMOD could not order it.
    private func blockOrdering() -> [Int32]? {
        let nb = blockColumns.count, nnz = blockColumns.reduce(0) { $0 + $1.count }
        guard nb > 1, let b = cholmod_allocate_sparse(nb, nb, nnz, 1, 1, 1, Int32(CHOLMOD_PATTERN), common) else { return nil }
        defer { var opt: UnsafeMutablePointer<cholmod_sparse>? = b; cholmod_free_sparse(&opt, common) }
        let p = b.pointee.p.assumingMemoryBound(to: Int32.self), i = b.pointee.i.assumingMemoryBound(to: Int32.self)
        var k = 0
        for (j, rows) in blockColumns.enumerated() {
            p[j] = Int32(k)
            for r in rows { i[k] = Int32(r); k += 1 }
        }
        p[nb] = Int32(k)
        let savedSupernodal = common.pointee.supernodal
        common.pointee.supernodal = Int32(CHOLMOD_SIMPLICIAL)
        defer { common.pointee.supernodal = savedSupernodal }
        // AMD first. METIS typically saves 10–20 % of the factorisation flops on these graphs but
        // costs ~10 µs per pose; try it only when the saving over a few factorisations (scalar
        // flops ≈ block flops × d³, at ~2 GFlop/s) outweighs that cost, and keep the cheaper.
        common.pointee.nmethods = 1
        common.pointee.method.0.ordering = Int32(CHOLMOD_AMD)
        guard var lb = cholmod_analyze(b, common) else { return nil }
        let d3 = Double(blockSize * blockSize * blockSize)
        if getenv("PARALLAX_CHOLMOD_STATS") != nil {
            print("block AMD: nb \(nb) lnz \(common.pointee.lnz) fl \(common.pointee.fl) scalar fl ≈ \(common.pointee.fl * d3)")
        }
        if common.pointee.fl * d3 > 3.3e4 * Double(nb) {
            common.pointee.nmethods = 2
            common.pointee.method.1.ordering = Int32(CHOLMOD_METIS)
            if let better = cholmod_analyze(b, common) {
                var old: UnsafeMutablePointer<cholmod_factor>? = lb
                cholmod_free_factor(&old, common)
                lb = better
            }
        }
        defer { var opt: UnsafeMutablePointer<cholmod_factor>? = lb; cholmod_free_factor(&opt, common) }
        let bp = lb.pointee.Perm.assumingMemoryBound(to: Int32.self)
        var perm = [Int32](repeating: 0, count: n)
        for q in 0..<nb { for c in 0..<blockSize { perm[q * blockSize + c] = bp[q] * Int32(blockSize) + Int32(c) } }
        return perm
    }

    /// Solves `A X = B` for `columns` right-hand sides stored column-major in `b`.
    func solve(_ b: [Double], columns: Int = 1) throws(PoseGraphError) -> [Double] {
        guard factor != nil else { throw .invalidArgument("solve before factorize") }
        guard let rhsPointer = cholmod_allocate_dense(n, columns, n, Int32(CHOLMOD_REAL), common) else {
            throw .cholmod(status: common.pointee.status, stage: "allocation of the right-hand side")
        }
        var rhs: UnsafeMutablePointer<cholmod_dense>? = rhsPointer
        defer { cholmod_free_dense(&rhs, common) }
        let rx = rhsPointer.pointee.x.assumingMemoryBound(to: Double.self)
        for k in 0..<(n * columns) { rx[k] = b[k] }
        guard let xPointer = cholmodLock.withLock({ cholmod_solve(Int32(CHOLMOD_A), factor, rhs, common) }) else {
            throw .cholmod(status: common.pointee.status, stage: "solve")
        }
        var x: UnsafeMutablePointer<cholmod_dense>? = xPointer
        defer { cholmod_free_dense(&x, common) }
        let xx = xPointer.pointee.x.assumingMemoryBound(to: Double.self)
        return Array(UnsafeBufferPointer(start: xx, count: n * columns))
    }
}
