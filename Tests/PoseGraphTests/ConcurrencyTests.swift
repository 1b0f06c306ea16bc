import Dispatch
import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

/// Several optimisers solving at once on different threads (the window's adjustment beside the
/// loop closer's corrections, or several pipelines in one process) give exactly what each gives
/// alone. CHOLMOD's supernodal factorisation calls BLAS, and a single-threaded BLAS build (Debian's
/// libopenblas0-serial) shares its work buffers between callers: unserialised, concurrent
/// factorisations corrupt each other, at random (wrong steps, or "not positive definite").
@Suite struct ConcurrencyTests {
    /// A noisy 3D grid with long-range edges: large supernodes, so the factorisation's BLAS calls
    /// are big and frequent.
    static func denseGrid(seed: UInt64) -> FactorGraph<SE3> {
        var rng = SplitMix(state: seed)
        let side = 5
        let truth = (0..<(side * side * side)).map { k -> SE3 in
            let angles = Vec3(0.02 * Double(k % 7), 0.01 * Double(k % 5), 0.03 * Double(k % 3))
            let position = Vec3(Double(k % side), Double((k / side) % side), Double(k / (side * side)))
            return SE3(rotation: SO3.exp(angles), translation: position)
        }
        var pairs: [(Int, Int)] = []
        for k in truth.indices {
            for step in [1, side, side * side, 2 * side + 1, 3 * side * side + 2] where k + step < truth.count { pairs.append((k, k + step)) }
        }
        let information = scaledIdentity(6, 100)
        var factors: [any Factor<SE3>] = []
        for (i, j) in pairs {
            let noise = SE3.exp(rng.vec6(0.02, rotation: 0.01))
            factors.append(BetweenFactor(i, j, measured: truth[i].inverse * truth[j] * noise, information: information))
        }
        let start = truth.map { $0 * SE3.exp(rng.vec6(0.2, rotation: 0.1)) }
        return FactorGraph(poses: start, factors: factors)
    }

    static func solve(_ graph: FactorGraph<SE3>) throws -> (chi2: Double, poses: [SE3]) {
        var options = OptimizerOptions()
        options.factorization = .supernodal
        options.relativeTolerance = 1e-12
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        let report = try optimizer.optimize()
        return (report.finalChi2, optimizer.graph.poses)
    }

    @Test func concurrentSolvesEqualSerialOnes() throws {
        let graphs = (0..<4).map { Self.denseGrid(seed: UInt64(7 + $0)) }
        let reference = try graphs.map { try Self.solve($0) }
        let runs = 24
        let results = ResultBox(count: runs)
        DispatchQueue.concurrentPerform(iterations: runs) { k in
            results.set(k, Result { try Self.solve(graphs[k % graphs.count]) })
        }
        var differing = 0
        for k in 0..<runs {
            let expected = reference[k % graphs.count]
            switch results.get(k) {
            case .success(let got):
                if got.chi2 != expected.chi2 || maxPoseError(got.poses, expected.poses) != 0 { differing += 1 }
            case .failure(let error):
                Issue.record("solve \(k) failed: \(error)")
                differing += 1
            case nil:
                differing += 1
            }
        }
        #expect(differing == 0, "\(differing) of \(runs) concurrent solves differ from the same solve alone")
    }
}

/// Results written by concurrent workers, each into its own slot.
private final class ResultBox: @unchecked Sendable {
    private var slots: [Result<(chi2: Double, poses: [SE3]), any Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: Result<(chi2: Double, poses: [SE3]), any Error>) { lock.withLock { slots[k] = r } }
    func get(_ k: Int) -> Result<(chi2: Double, poses: [SE3]), any Error>? { lock.withLock { slots[k] } }
}
