import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

/// Issue 7's remaining solver requirements: singular systems reported, symbolic analysis reused,
/// the Levenberg–Marquardt damping schedule, and robust kernels inside the optimisation.
@Suite struct SolverBehaviourTests {
    /// A pose whose rotation no factor constrains: `JᵀΛJ` is singular, and Gauss–Newton (which
    /// adds no damping) must say so instead of returning garbage.
    @Test func singularSystemIsAClearError() throws {
        var info = scaledIdentity(6, 1)
        for k in 3..<6 { info[k * 6 + k] = 0 }   // translation only
        let graph = FactorGraph(poses: [.identity, SE3(translation: Vec3(1, 0, 0))], fixed: [0],
                                factors: [BetweenFactor(0, 1, measured: SE3(translation: Vec3(2, 0, 0)), information: info)])
        var options = OptimizerOptions(); options.solver = .gaussNewton
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        #expect {
            _ = try optimizer.optimize()
        } throws: { error in
            guard case let .notPositiveDefinite(column, n) = error as? PoseGraphError else { return false }
            return n == 6 && column <= 6 && "\(error)".contains("under-constrained")
        }
    }

    /// The fill-reducing ordering is computed once and reused by every factorisation.
    @Test(arguments: SolverKind.allCases)
    func symbolicAnalysisIsDoneOnce(solver: SolverKind) throws {
        var rng = SplitMix(state: 71)
        let truth = (0..<40).map { _ in rng.se3(5, rotation: 3) }
        var graph = consistentGraph(truth: truth, loops: [(0, 20), (10, 39), (5, 30)], information: randomInformation(6, &rng))
        for k in 1..<truth.count { graph.poses[k] = truth[k] * SE3.exp(rng.vec6(0.2, rotation: 0.2)) }
        var options = OptimizerOptions(); options.solver = solver
        let report = try PoseGraphOptimizer(graph, options: options).optimize()
        #expect(report.factorizations >= 3)
        #expect(report.symbolicAnalyses == 1)
        #expect(report.finalChi2 < 1e-14)
    }

    /// Levenberg–Marquardt tries the undamped step first, falls back to damping when a step raises
    /// the objective, and reaches the same optimum whatever λ it starts from.
    @Test func dampingScheduleReachesTheSameOptimum() throws {
        // The free pose is the edge's first: its heading enters the residual non-linearly, and a
        // 2.5 rad heading error makes the full Gauss–Newton step overshoot.
        let z = SE2(x: 10, y: 0, theta: 0)
        var info = scaledIdentity(3, 1); info[8] = 10
        let graph = FactorGraph(poses: [SE2(x: 0, y: 0, theta: 2.5), .identity], fixed: [1],
                                factors: [BetweenFactor(0, 1, measured: z, information: info)])
        var first = OptimizerOptions(); first.maxIterations = 200
        let undampedFirst = try PoseGraphOptimizer(graph, options: first).optimize()
        var damped = first; damped.initialLambda = 1e-5
        let dampedFirst = try PoseGraphOptimizer(graph, options: damped).optimize()
        #expect(undampedFirst.factorizations > undampedFirst.iterations, "no step was rejected")
        #expect(undampedFirst.finalChi2 < 1e-16 && dampedFirst.finalChi2 < 1e-16)
        #expect(undampedFirst.converged && dampedFirst.converged)
    }

    /// A false loop closure: Huber and Cauchy keep the trajectory much closer to the truth than
    /// plain least squares, Cauchy (redescending) closer than Huber.
    @Test func robustKernelsLimitAFalseLoopClosure() throws {
        var rng = SplitMix(state: 81)
        let truth = (0..<20).map { k in SE3(rotation: SO3.exp(Vec3(0, 0, 0.2 * Double(k))), translation: Vec3(Double(k), 0, 0)) }
        var graph = consistentGraph(truth: truth, loops: [(0, 19), (3, 12), (6, 16)], information: scaledIdentity(6, 100))
        let wrong = SE3(rotation: SO3.exp(Vec3(0.1, 0, 0.3)), translation: Vec3(1, 0.5, 0))
        graph.factors.append(BetweenFactor(2, 17, measured: truth[2].inverse * truth[17] * wrong, information: scaledIdentity(6, 100)))
        for k in 1..<truth.count { graph.poses[k] = truth[k] * SE3.exp(rng.vec6(0.02, rotation: 0.02)) }
        var chi2: [Double] = []
        func error(_ kernel: RobustKernel) throws -> Double {
            var options = OptimizerOptions(); options.kernel = kernel; options.maxIterations = 200
            let optimizer = try PoseGraphOptimizer(graph, options: options)
            let report = try optimizer.optimize()
            #expect(report.converged, "\(kernel)")
            #expect(report.finalObjective <= report.finalChi2 + 1e-12)
            chi2.append(report.finalChi2)
            return maxPoseError(optimizer.graph.poses, truth)
        }
        let plain = try error(.none), huber = try error(.huber(delta: 1)), cauchy = try error(.cauchy(delta: 1))
        #expect(plain > 0.3)
        #expect(huber < plain / 2, "huber \(huber) vs none \(plain)")
        #expect(cauchy < huber / 2, "cauchy \(cauchy) vs huber \(huber)")
        // Plain least squares minimises χ² itself: the robust optima cannot have a lower one.
        #expect(chi2[0] <= chi2[1] && chi2[0] <= chi2[2])
    }
}
