import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

/// Information matrices that are not positive definite: detected where they enter, repaired on
/// request to the nearest positive-definite matrix.
@Suite struct InformationTests {
    /// A random symmetric n × n matrix with eigenvalues `values` (Q diag Qᵀ, Q from Gram–Schmidt).
    static func symmetric(eigenvalues values: [Double], seed: UInt64) -> [Double] {
        let n = values.count
        var rng = SplitMix64(state: seed)
        var q = (0..<(n * n)).map { _ in Double.random(in: -0.5..<0.5, using: &rng) }
        for c in 0..<n {
            for p in 0..<c {
                var dot = 0.0
                for r in 0..<n { dot += q[r * n + c] * q[r * n + p] }
                for r in 0..<n { q[r * n + c] -= dot * q[r * n + p] }
            }
            var norm = 0.0
            for r in 0..<n { norm += q[r * n + c] * q[r * n + c] }
            for r in 0..<n { q[r * n + c] /= norm.squareRoot() }
        }
        var m = [Double](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n { for k in 0..<n { m[r * n + c] += q[r * n + k] * values[k] * q[c * n + k] } } }
        return m
    }

    @Test func positiveDefinitenessIsDecidedByTheSpectrum() {
        #expect(InformationMatrix.isPositiveDefinite(Self.symmetric(eigenvalues: [1, 2, 3, 4, 5, 1e-3], seed: 1), 6))
        #expect(!InformationMatrix.isPositiveDefinite(Self.symmetric(eigenvalues: [1, 2, 3, 4, 5, -1e-3], seed: 2), 6))
        #expect(!InformationMatrix.isPositiveDefinite(Self.symmetric(eigenvalues: [1, 2, 0], seed: 3), 3))
        var asymmetric = Self.symmetric(eigenvalues: [1, 2, 3], seed: 4)
        asymmetric[1] += 0.5
        #expect(!InformationMatrix.isPositiveDefinite(asymmetric, 3))
        #expect(!InformationMatrix.isPositiveDefinite([1, 0, 0, .nan], 2))
        // Semi-definite (information on some components only) is bounded below, not definite.
        #expect(InformationMatrix.isPositiveSemidefinite(Self.symmetric(eigenvalues: [1, 2, 0], seed: 3), 3))
        #expect(!InformationMatrix.isPositiveSemidefinite(Self.symmetric(eigenvalues: [1, 2, -1e-6], seed: 3), 3))
    }

    @Test func eigendecompositionReconstructsTheMatrix() {
        let truth: [Double] = [-4, 0.5, 1, 2, 7, 30]
        let m = Self.symmetric(eigenvalues: truth, seed: 9)
        let (values, vectors) = InformationMatrix.symmetricEigen(m, 6)
        #expect(zip(values.sorted(), truth).allSatisfy { abs($0 - $1) < 1e-10 })
        for r in 0..<6 {
            for c in 0..<6 {
                var s = 0.0
                for k in 0..<6 { s += vectors[r * 6 + k] * values[k] * vectors[c * 6 + k] }
                #expect(abs(s - m[r * 6 + c]) < 1e-10)
            }
        }
    }

    @Test func nearestPositiveDefiniteClampsOnlyTheNegativeDirections() throws {
        let pd = Self.symmetric(eigenvalues: [1, 2, 3, 4, 5, 6], seed: 5)
        let same = try #require(InformationMatrix.nearestPositiveDefinite(pd, 6))
        #expect(zip(same, pd).allSatisfy { abs($0 - $1) < 1e-10 })
        let bad = Self.symmetric(eigenvalues: [-1e6, 2, 3, 4, 5, 6], seed: 6)
        let fixed = try #require(InformationMatrix.nearestPositiveDefinite(bad, 6))
        #expect(InformationMatrix.isPositiveDefinite(fixed, 6))
        let values = InformationMatrix.symmetricEigen(fixed, 6).values.sorted()
        #expect(abs(values[0] - 1e-9 * 1e6) < 1e-9)
        #expect(zip(values.dropFirst(), [2.0, 3, 4, 5, 6]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(InformationMatrix.nearestPositiveDefinite([Double](repeating: 0, count: 9), 3) == nil)
    }

    /// `smallGrid3D`'s failure mode in miniature: one edge with a negative translational weight.
    static let negative = G2OTests.small3D.replacingOccurrences(of: "10 0 0 0 0 0 10 0 0 0 0 10 0 0 0 40 0 0 40 0 40",
                                                                with: "10 0 0 0 0 0 -1e6 0 0 0 0 10 0 0 0 40 0 0 40 0 40")

    @Test func readingRefusesAnIndefiniteInformationByDefault() {
        #expect(Self.negative != G2OTests.small3D)
        #expect(throws: PoseGraphError.indefiniteInformation(file: "neg.g2o", line: 6, edges: 1, of: 3)) {
            try G2O.parse(Self.negative, name: "neg.g2o")
        }
    }

    @Test func nearestPDRepairIsReportedAndOptimisesToAPositiveMinimum() throws {
        let file = try G2O.parse(Array(Self.negative.utf8), name: "neg.g2o", information: .nearestPositiveDefinite)
        #expect(file.repairedLines == [6])
        guard case let .spatial(graph) = file.graph else { Issue.record("expected a 3D graph"); return }
        let optimizer = try PoseGraphOptimizer(graph)
        _ = try optimizer.optimize()
        #expect(optimizer.graph.chi2() >= 0)
    }

    @Test func automaticInitialisationIsChordalWhenChordalSucceeds() throws {
        guard case let .spatial(graph) = try G2O.parse(G2OTests.small3D) else { Issue.record("expected 3D"); return }
        let auto = try Initialization.initialize(graph, method: .auto)
        #expect(auto.used == .chordal && auto.fallbackReason == nil)
        let chordal = try Initialization.chordal(graph)
        for (a, c) in zip(auto.poses, chordal) { let d = (a.inverse * c).log; #expect((0..<6).allSatisfy { abs(d[$0]) < 1e-12 }) }
    }
}
