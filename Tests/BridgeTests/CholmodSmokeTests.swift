import CCholmod
import Testing

/// CHOLMOD links, factorises a sparse SPD system supernodally and solves it.
@Suite struct CholmodSmokeTests {
    @Test func factorisesAndSolvesTridiagonalSystem() throws {
        var common = cholmod_common()
        #expect(cholmod_start(&common) != 0)
        defer { cholmod_finish(&common) }
        common.supernodal = Int32(CHOLMOD_SUPERNODAL)

        // A = tridiag(-1, 4, -1), n = 50, upper triangle stored column by column.
        let n = 50
        let nnz = 2 * n - 1
        let a = try #require(cholmod_allocate_sparse(n, n, nnz, 1, 1, 1, Int32(CHOLMOD_REAL), &common))
        var aPtr: UnsafeMutablePointer<cholmod_sparse>? = a
        defer { cholmod_free_sparse(&aPtr, &common) }
        let p = a.pointee.p.assumingMemoryBound(to: Int32.self)
        let i = a.pointee.i.assumingMemoryBound(to: Int32.self)
        let x = a.pointee.x.assumingMemoryBound(to: Double.self)
        var k = 0
        for col in 0..<n {
            p[col] = Int32(k)
            if col > 0 { i[k] = Int32(col - 1); x[k] = -1; k += 1 }
            i[k] = Int32(col); x[k] = 4; k += 1
        }
        p[n] = Int32(k)

        let b = try #require(cholmod_ones(n, 1, Int32(CHOLMOD_REAL), &common))
        var bPtr: UnsafeMutablePointer<cholmod_dense>? = b
        defer { cholmod_free_dense(&bPtr, &common) }
        let factor = try #require(cholmod_analyze(a, &common))
        var fPtr: UnsafeMutablePointer<cholmod_factor>? = factor
        defer { cholmod_free_factor(&fPtr, &common) }
        #expect(cholmod_factorize(a, factor, &common) != 0)
        #expect(common.status == CHOLMOD_OK)
        let sol = try #require(cholmod_solve(Int32(CHOLMOD_A), factor, b, &common))
        var sPtr: UnsafeMutablePointer<cholmod_dense>? = sol
        defer { cholmod_free_dense(&sPtr, &common) }
        let s = sol.pointee.x.assumingMemoryBound(to: Double.self)
        // Residual of A s = 1.
        var maxResidual = 0.0
        for r in 0..<n {
            var ax = 4 * s[r]
            if r > 0 { ax -= s[r - 1] }
            if r < n - 1 { ax -= s[r + 1] }
            maxResidual = max(maxResidual, abs(ax - 1))
        }
        #expect(maxResidual < 1e-12)
        // Interior of the solution approaches 1/(4 − 2) = 0.5.
        #expect(abs(s[n / 2] - 0.5) < 1e-9)
    }

    @Test func reportsIndefiniteMatrix() throws {
        var common = cholmod_common()
        #expect(cholmod_start(&common) != 0)
        defer { cholmod_finish(&common) }
        common.print = 0
        common.supernodal = Int32(CHOLMOD_SUPERNODAL)   // LLᵀ (a simplicial LDLᵀ would accept it)
        let a = try #require(cholmod_allocate_sparse(2, 2, 2, 1, 1, 1, Int32(CHOLMOD_REAL), &common))
        var aPtr: UnsafeMutablePointer<cholmod_sparse>? = a
        defer { cholmod_free_sparse(&aPtr, &common) }
        let p = a.pointee.p.assumingMemoryBound(to: Int32.self)
        let i = a.pointee.i.assumingMemoryBound(to: Int32.self)
        let x = a.pointee.x.assumingMemoryBound(to: Double.self)
        p[0] = 0; p[1] = 1; p[2] = 2
        i[0] = 0; i[1] = 1
        x[0] = 1; x[1] = -1   // diag(1, -1): not positive definite
        let factor = try #require(cholmod_analyze(a, &common))
        var fPtr: UnsafeMutablePointer<cholmod_factor>? = factor
        defer { cholmod_free_factor(&fPtr, &common) }
        _ = cholmod_factorize(a, factor, &common)
        #expect(common.status == CHOLMOD_NOT_POSDEF)
    }
}
