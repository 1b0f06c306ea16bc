import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct SharedDataTests {
    private func load(_ name: String) throws -> FactorGraph<SE3> {
        guard case let .spatial(g) = try G2O.read(SharedData.url("posegraphs/\(name)")) else {
            throw PoseGraphError.invalidArgument("\(name) is not a 3D graph")
        }
        return g
    }

    /// Every start and both solvers reach the same optimum of smallGrid3D, with zero gradient:
    /// one more Gauss–Newton iteration from the result changes nothing.
    @Test func smallGridReachesTheSameOptimumFromEveryStart() throws {
        let graph = try load("smallGrid3D.g2o")
        #expect(graph.poses.count == 125 && graph.factors.count == 297)
        var finals: [Double] = []
        for method in InitializationMethod.allCases {
            for solver in SolverKind.allCases {
                var g = graph
                g.poses = try Initialization.initialize(g, method: method).poses
                var options = OptimizerOptions(); options.solver = solver; options.relativeTolerance = 1e-10
                let optimizer = try PoseGraphOptimizer(g, options: options)
                let report = try optimizer.optimize()
                #expect(report.converged, "\(method) \(solver)")
                finals.append(report.finalChi2)
                var gn = OptimizerOptions(); gn.solver = .gaussNewton; gn.maxIterations = 1
                let again = try PoseGraphOptimizer(optimizer.graph, options: gn)
                let polish = try again.optimize()
                #expect(abs(polish.finalChi2 - report.finalChi2) < 1e-7 * report.finalChi2)
            }
        }
        let best = finals.min() ?? 0
        #expect(best > 1000 && best < 1100)
        for f in finals { #expect(abs(f - best) < 1e-6 * best) }
    }

    @Test func tinyGridFileChi2AndRoundTrip() throws {
        let graph = try load("tinyGrid3D.g2o")
        let text = try String(contentsOf: SharedData.url("posegraphs/tinyGrid3D.g2o"), encoding: .utf8)
        guard case let .spatial(h) = try G2O.parse(G2O.serialize(graph)) else { Issue.record("not 3D"); return }
        #expect(abs(h.g2oChi2() - graph.g2oChi2()) < 1e-12 * graph.g2oChi2())
        #expect(text.contains("EDGE_SE3:QUAT 1 8"))
        let optimizer = try PoseGraphOptimizer(graph)
        let report = try optimizer.optimize()
        #expect(report.finalChi2 < report.initialChi2 / 10)
    }
}
