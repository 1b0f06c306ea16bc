/// A symmetric positive-definite linear system in `blockSize`-vector unknowns with a fixed block
/// sparsity, solved by CHOLMOD: the engine the pose-graph optimiser uses, open to other
/// least-squares problems (the bundle adjustment's Schur-reduced pose system) so that there is
/// one sparse solver. The pattern and the symbolic analysis are built once; fill, solve, repeat.
public final class SparseBlockSystem {
    public let blockSize: Int
    public let blocks: Int
    private let pattern: BlockPattern
    private let cholesky: SparseCholesky

    /// `couplings` are the block pairs that may be non-zero (any order; the diagonal is implied).
    public init(blockSize: Int, blocks: Int, couplings: [(Int, Int)]) throws(PoseGraphError) {
        guard blockSize > 0, blocks > 0, couplings.allSatisfy({ (0..<blocks).contains($0.0) && (0..<blocks).contains($0.1) }) else {
            throw .invalidArgument("SparseBlockSystem: \(blocks) blocks of size \(blockSize), couplings out of range")
        }
        self.blockSize = blockSize
        self.blocks = blocks
        pattern = BlockPattern(d: blockSize, blocks: blocks, pairs: couplings + (0..<blocks).map { ($0, $0) })
        cholesky = try SparseCholesky(pattern: pattern)
    }

    /// Sets every entry to zero.
    public func reset() { cholesky.values.update(repeating: 0, count: cholesky.nonZeros) }

    /// Adds a row-major `blockSize²` block at (`i`, `j`). The matrix is symmetric: adding (i, j)
    /// also stands for (j, i), so add each off-diagonal pair once; on the diagonal only the upper
    /// triangle of `block` is read. The pair must be among the couplings.
    public func add(row i: Int, column j: Int, _ block: [Double]) {
        block.withUnsafeBufferPointer { add(row: i, column: j, $0) }
    }

    /// As `add(row:column:_:)` with the block in a buffer (`blockSize²` values, row-major).
    public func add(row i: Int, column j: Int, _ block: UnsafeBufferPointer<Double>) {
        let d = blockSize
        precondition(block.count == d * d, "a block of the sparse system needs \(d * d) values, got \(block.count)")
        let (r0, c0, transpose) = i <= j ? (i, j, false) : (j, i, true)
        let position = pattern.position(row: r0, column: c0)
        let values = cholesky.values
        for c in 0..<d {
            // The block's column c is contiguous in CHOLMOD's values: index of row 0, then r on.
            let column = values + pattern.index(column: c0, position: position, r: 0, c: c)
            if transpose {
                for r in 0..<d { column[r] += block[c * d + r] }
            } else {
                for r in 0..<(r0 == c0 ? c + 1 : d) { column[r] += block[r * d + c] }
            }
        }
    }

    /// Adds `value` to every diagonal entry (Levenberg–Marquardt damping).
    public func addToDiagonal(_ value: Double) {
        let values = cholesky.values
        for k in pattern.diagonal { values[k] += value }
    }

    /// Factorises the current values and solves for `rhs` (length `blocks · blockSize`); throws
    /// `notPositiveDefinite` when the matrix is not.
    public func solve(_ rhs: [Double]) throws(PoseGraphError) -> [Double] {
        guard rhs.count == blocks * blockSize else { throw .invalidArgument("SparseBlockSystem: right-hand side of \(rhs.count), expected \(blocks * blockSize)") }
        try cholesky.factorize()
        return try cholesky.solve(rhs)
    }
}
