import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

@Suite struct OptimizerTests {
    /// A loop of rotations about z (no translation) whose measured angles sum to 2π + ε: the
    /// optimum spreads the error equally, r_k = −ε/N on every edge, χ² = w ε²/N.
    @Test(arguments: [SolverKind.gaussNewton, .levenbergMarquardt])
    func rotationLoopWithOnePerturbedEdge(solver: SolverKind) throws {
        let n = 8, eps = 0.2, w = 50.0
        let angles = (0..<n).map { 2 * Double.pi / Double(n) + ($0 == 3 ? eps : 0) }
        let rz = { (a: Double) in SE3(rotation: SO3.exp(Vec3(0, 0, a))) }
        var factors: [any Factor<SE3>] = []
        for k in 0..<n { factors.append(BetweenFactor(k, (k + 1) % n, measured: rz(angles[k]), information: scaledIdentity(6, w))) }
        var start: [SE3] = [.identity]
        for k in 1..<n { start.append(start[k - 1] * rz(angles[k - 1])) }   // all error on the closing edge
        let graph = FactorGraph(poses: start, factors: factors)
        var options = OptimizerOptions(); options.solver = solver
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        let report = try optimizer.optimize()
        #expect(report.converged)
        #expect(abs(report.finalChi2 - w * eps * eps / Double(n)) < 1e-9)
        #expect(report.initialChi2 > report.finalChi2 * 7)
        var expected = 0.0
        for k in 0..<n {
            let pose = optimizer.graph.poses[k]
            #expect((pose.inverse * rz(expected)).log.norm < 1e-8, "pose \(k)")
            expected += angles[k] - eps / Double(n)
        }
    }

    /// Exact measurements from perturbed starting values: back to the truth, χ² = 0.
    @Test func consistentGraphReturnsToTruth() throws {
        var rng = SplitMix(state: 21)
        let truth = (0..<30).map { _ in rng.se3(5, rotation: 3) }
        var graph = consistentGraph(truth: truth, loops: [(0, 10), (5, 25), (3, 29), (12, 20)],
                                    information: randomInformation(6, &rng))
        graph.fixed = [0]
        for k in 1..<truth.count { graph.poses[k] = truth[k] * SE3.exp(rng.vec6(0.3, rotation: 0.3)) }
        let optimizer = try PoseGraphOptimizer(graph)
        let report = try optimizer.optimize()
        #expect(report.finalChi2 < 1e-16)
        #expect(maxPoseError(optimizer.graph.poses, truth) < 1e-8)
    }

    @Test func planarConsistentGraphReturnsToTruth() throws {
        var rng = SplitMix(state: 23)
        let truth = (0..<20).map { _ in rng.se2(10) }
        var graph = consistentGraph(truth: truth, loops: [(0, 7), (4, 19)], information: randomInformation(3, &rng))
        for k in 1..<truth.count { graph.poses[k] = truth[k] * SE2(x: rng.uniform(-0.2, 0.2), y: 0.1, theta: rng.uniform(-0.2, 0.2)) }
        let optimizer = try PoseGraphOptimizer(graph)
        let report = try optimizer.optimize()
        #expect(report.finalChi2 < 1e-16)
        for (p, t) in zip(optimizer.graph.poses, truth) {
            let e = p.inverse * t
            #expect(abs(e.x) + abs(e.y) + abs(e.theta) < 1e-8)
        }
    }

    /// The chordal start recovers exact poses from exact measurements, whatever the initial values.
    @Test func chordalInitialisationIsExactOnConsistentGraphs() throws {
        var rng = SplitMix(state: 31)
        let truth = [SE3.identity] + (1..<25).map { _ in rng.se3(5, rotation: 3) }
        var graph = consistentGraph(truth: truth, loops: [(0, 12), (6, 24)], information: randomInformation(6, &rng))
        graph.poses = Array(repeating: .identity, count: truth.count)
        let poses = try Initialization.chordal(graph)
        #expect(maxPoseError(poses, truth) < 1e-8)
        let tree = try Initialization.spanningTree(graph)
        #expect(maxPoseError(tree, truth) < 1e-8)
    }

    @Test func gateRemovesAFalseLoopClosure() throws {
        var rng = SplitMix(state: 41)
        let truth = (0..<15).map { k in SE3(rotation: SO3.exp(Vec3(0, 0, 0.3 * Double(k))), translation: Vec3(Double(k), 0, 0)) }
        var graph = consistentGraph(truth: truth, loops: [(0, 14), (2, 9)], information: scaledIdentity(6, 100))
        let wrong = graph.factors.count
        graph.factors.append(BetweenFactor(1, 13, measured: SE3(translation: Vec3(0, 5, 0)), information: scaledIdentity(6, 100)))
        for k in 1..<truth.count { graph.poses[k] = truth[k] * SE3.exp(rng.vec6(0.05, rotation: 0.05)) }
        var options = OptimizerOptions()
        options.kernel = .cauchy(delta: 1)
        options.outlierGate = 16.8   // χ²(6) at 99 %
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        let report = try optimizer.optimize()
        #expect(report.rejectedFactors == [wrong])
        #expect(maxPoseError(optimizer.graph.poses, truth) < 1e-6)
        #expect(report.finalObjective < 1e-10)
    }

    /// One free pose linked to a fixed one: its covariance is the inverse of the edge information.
    @Test func marginalCovarianceOfASingleEdge() throws {
        var rng = SplitMix(state: 51)
        let info = randomInformation(6, &rng)
        let z = rng.se3()
        let graph = FactorGraph(poses: [.identity, z], fixed: [0], factors: [BetweenFactor(0, 1, measured: z, information: info)])
        let optimizer = try PoseGraphOptimizer(graph)
        let cov = try optimizer.marginalCovariances(of: [1])[0]
        // cov · info = I
        for i in 0..<6 { for j in 0..<6 {
            var s = 0.0
            for k in 0..<6 { s += cov[i * 6 + k] * info[k * 6 + j] }
            #expect(abs(s - (i == j ? 1 : 0)) < 1e-9)
        } }
        #expect(throws: PoseGraphError.self) { try optimizer.marginalCovariances(of: [0]) }
    }

    @Test func indefiniteInformationIsRefusedBeforeOptimising() throws {
        // An information matrix with a negative eigenvalue makes the objective unbounded below:
        // refused when the optimiser is built, whatever the solver would do with it.
        var info = scaledIdentity(6, 1); info[35] = -1
        let graph = FactorGraph(poses: [.identity, SE3(translation: Vec3(1, 0, 0))], fixed: [0],
                                factors: [BetweenFactor(0, 1, measured: SE3.identity, information: info)])
        #expect {
            _ = try PoseGraphOptimizer(graph)
        } throws: { error in
            guard case let .invalidArgument(message) = error as? PoseGraphError else { return false }
            return message.contains("factor 0") && message.contains("positive semi-definite")
        }
    }

    @Test func disconnectedGraphIsReported() {
        let z = SE3(translation: Vec3(1, 0, 0))
        let graph = FactorGraph(poses: Array(repeating: SE3.identity, count: 4), ids: [10, 11, 12, 13], factors: [
            BetweenFactor(0, 1, measured: z, information: scaledIdentity(6, 1)),
            BetweenFactor(2, 3, measured: z, information: scaledIdentity(6, 1)),
        ])
        #expect(throws: PoseGraphError.disconnected(components: 2, example: 12)) { _ = try PoseGraphOptimizer(graph) }
        #expect(throws: PoseGraphError.disconnected(components: 2, example: 12)) { _ = try Initialization.chordal(graph) }
        #expect(throws: PoseGraphError.disconnected(components: 2, example: 12)) { _ = try Initialization.spanningTree(graph) }
    }

    @Test func robustKernels() {
        #expect(RobustKernel.huber(delta: 2).rho(3) == 3)
        #expect(abs(RobustKernel.huber(delta: 2).rho(16) - (2 * 2 * 4 - 4)) < 1e-12)
        #expect(abs(RobustKernel.huber(delta: 2).weight(16) - 0.5) < 1e-12)
        #expect(abs(RobustKernel.cauchy(delta: 1).rho(Foundation.exp(1) - 1) - 1) < 1e-12)
        #expect(abs(RobustKernel.cauchy(delta: 2).weight(4) - 0.5) < 1e-12)
    }
}

@Suite struct InitializationAndPriorTests {
    @Test func planarChordalIsExactOnConsistentGraphs() throws {
        var rng = SplitMix(state: 61)
        let truth = [SE2.identity] + (1..<30).map { _ in rng.se2(8) }
        var graph = consistentGraph(truth: truth, loops: [(0, 15), (3, 29), (10, 20)], information: randomInformation(3, &rng))
        graph.poses = Array(repeating: .identity, count: truth.count)
        let poses = try Initialization.chordal(graph)
        for (p, t) in zip(poses, truth) {
            let e = p.inverse * t
            #expect(abs(e.x) + abs(e.y) + abs(e.theta) < 1e-8)
        }
    }

    /// With a prior and no fixed pose, the gauge comes from the prior: the first pose moves to it.
    @Test func priorFactorSetsTheGauge() throws {
        let z = SE3(rotation: SO3.exp(Vec3(0, 0, 0.5)), translation: Vec3(1, 0, 0))
        let anchor = SE3(translation: Vec3(3, 2, 1))
        let graph = FactorGraph(poses: [.identity, .identity], factors: [
            PriorFactor(0, measured: anchor, information: scaledIdentity(6, 1e4)),
            BetweenFactor(0, 1, measured: z, information: scaledIdentity(6, 1)),
        ])
        let optimizer = try PoseGraphOptimizer(graph)
        let report = try optimizer.optimize()
        #expect(report.finalChi2 < 1e-14)
        #expect(maxPoseError(optimizer.graph.poses, [anchor, anchor * z]) < 1e-7)
    }
}
