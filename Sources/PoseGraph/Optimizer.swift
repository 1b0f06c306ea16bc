import Foundation
import Geometry

/// The non-linear least-squares method.
public enum SolverKind: String, Sendable, CaseIterable {
    /// Gauss–Newton: undamped steps.
    case gaussNewton = "gn"
    /// Levenberg–Marquardt with `λ I` damping: the undamped (Gauss–Newton) step is tried first;
    /// λ × 10 on failure (starting from `OptimizerOptions.dampingAfterRejection`), ÷ 10 on success.
    case levenbergMarquardt = "lm"
}

/// Options of `PoseGraphOptimizer`.
public struct OptimizerOptions: Sendable {
    public var solver: SolverKind = .levenbergMarquardt
    public var maxIterations = 100
    /// Stop when an accepted step lowers the objective by less than this fraction.
    public var relativeTolerance = 1e-6
    /// Stop when an accepted step lowers the objective by less than this amount.
    public var absoluteTolerance = 1e-9
    public var kernel: RobustKernel = .none
    /// When set, factors whose squared error exceeds this value at the optimum are deactivated
    /// (unless that would disconnect the graph) and the graph is optimised again.
    public var outlierGate: Double? = nil
    /// λ of the first Levenberg–Marquardt step. 0 (the default) tries the Gauss–Newton step first:
    /// a fixed λ of 1e-5 (GTSAM's) slows the long, weakly constrained chains of graphs such as
    /// parking-garage, whose smallest eigenvalues are below it (7 iterations instead of 3).
    public var initialLambda = 0.0
    /// λ after a rejected undamped step (GTSAM's initial λ); later rejections multiply λ by 10.
    public var dampingAfterRejection = 1e-5
    /// Above this λ the optimisation stops (no step lowers the objective).
    public var maxLambda = 1e10
    /// CHOLMOD's factorisation kind: by default supernodal where CHOLMOD's flop-per-nonzero test
    /// says it pays (the dense 3D graphs), simplicial for very sparse factors (most 2D graphs).
    public var factorization: FactorizationMethod = .automatic
    public init() {}
}

/// What an optimisation did.
public struct OptimizationReport: Sendable {
    /// `Σ rᵀ Λ r` over all factors before and after.
    public var initialChi2 = 0.0, finalChi2 = 0.0
    /// The robust objective `Σ ρ(rᵀ Λ r)` over active factors at the end.
    public var finalObjective = 0.0
    /// Linearisations (outer iterations) and Cholesky factorisations.
    public var iterations = 0, factorizations = 0
    public var converged = false
    /// Indices of factors deactivated by the chi² gate.
    public var rejectedFactors: [Int] = []
    /// Seconds spent building the normal equations, factorising and solving, and evaluating steps.
    public var linearizeSeconds = 0.0, solveSeconds = 0.0, evaluateSeconds = 0.0
    /// CHOLMOD symbolic analyses (fill-reducing ordering): 1, reused by every factorisation.
    public var symbolicAnalyses = 0
    /// Seconds of the symbolic analysis (included in `solveSeconds`).
    public var analyzeSeconds = 0.0
}

/// Weighted non-linear least squares over a pose graph with sparse Cholesky (CHOLMOD).
///
/// The normal equations `Jᵀ W J δ = −Jᵀ W r` are assembled directly into CHOLMOD's
/// upper-triangular compressed columns through a block pattern computed once; the symbolic
/// analysis is done once and the numeric supernodal factorisation repeated per iteration. The
/// gauge is fixed by the graph's fixed poses, or by the first pose when there are none and no
/// factor has a single key.
public final class PoseGraphOptimizer<Pose: ManifoldPose> {
    /// The graph, holding the current estimates.
    public private(set) var graph: FactorGraph<Pose>
    public let options: OptimizerOptions
    /// Variable block of each pose, or −1 for fixed poses.
    private let blockOf: [Int]
    private let pattern: BlockPattern
    let cholesky: SparseCholesky
    let layout: FactorLayout<Pose>
    var active: [Bool]
    var gradient: [Double]
    var undamped: [Double]
    private let d = Pose.dof

    /// Prepares the pattern and the symbolic structures; throws when the graph is disconnected or
    /// a factor's information matrix has a negative eigenvalue (the objective would be unbounded
    /// below; information on only some components is allowed).
    public init(_ graph: FactorGraph<Pose>, options: OptimizerOptions = OptimizerOptions()) throws(PoseGraphError) {
        try graph.validateConnectivity()
        for (k, f) in graph.factors.enumerated()
        where !InformationMatrix.isPositiveSemidefinite(f.information, f.residualDimension) {
            throw .invalidArgument("factor \(k) (poses \(f.keys.map { graph.ids[$0] })): information matrix is not symmetric positive semi-definite")
        }
        self.graph = graph
        self.options = options
        var fixed = graph.fixed
        if fixed.isEmpty && !graph.factors.contains(where: { $0.keys.count == 1 }) { fixed = [0] }
        var blockOf = [Int](repeating: -1, count: graph.poses.count)
        var nb = 0
        for k in graph.poses.indices where !fixed.contains(k) { blockOf[k] = nb; nb += 1 }
        guard nb > 0 else { throw .invalidArgument("every pose is fixed: nothing to optimise") }
        self.blockOf = blockOf
        var pairs: [(Int, Int)] = []
        for f in graph.factors {
            let b = f.keys.map { blockOf[$0] }.filter { $0 >= 0 }
            for x in b { for y in b { pairs.append((x, y)) } }
        }
        let pattern = BlockPattern(d: Pose.dof, blocks: nb, pairs: pairs)
        self.pattern = pattern
        self.cholesky = try SparseCholesky(pattern: pattern, method: options.factorization)
        layout = FactorLayout(graph.factors, blockOf: blockOf, pattern: pattern)
        active = Array(repeating: true, count: graph.factors.count)
        gradient = Array(repeating: 0, count: nb * Pose.dof)
        undamped = Array(repeating: 0, count: cholesky.nonZeros)
    }

    /// Number of scalar unknowns.
    public var dimension: Int { cholesky.n }

    /// The robust objective `Σ ρ(rᵀ Λ r)` over active factors at `poses`.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    func objective(_ poses: [Pose]) -> Double {
        var s = 0.0
        for (k, f) in graph.factors.enumerated() where active[k] { s += options.kernel.rho(f.squaredError(poses)) }
        return s
    }

    /// Solves `(H + λ I) δ = −g` from the stored undamped `H`.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    private func solveStep(lambda: Double, report: inout OptimizationReport) throws(PoseGraphError) -> [Double] {
        let start = now()
        defer { report.solveSeconds += now() - start }
        let values = cholesky.values
        for k in 0..<cholesky.nonZeros { values[k] = undamped[k] }
        if lambda > 0 { for k in pattern.diagonal { values[k] += lambda } }
        try cholesky.factorize()
        report.factorizations += 1
        let step = try cholesky.solve(gradient.map { -$0 })
        guard step.allSatisfy(\.isFinite) else { throw .nonFinite(stage: "the linear solve") }
        return step
    }

    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    private func retracted(_ step: [Double]) -> [Pose] {
        var out = graph.poses
        step.withUnsafeBufferPointer { s in
            for (k, b) in blockOf.enumerated() where b >= 0 { out[k] = out[k].retract(s.baseAddress! + b * d) }
        }
        return out
    }

    /// Runs the optimisation from the graph's current poses; the graph then holds the result.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    public func optimize() throws(PoseGraphError) -> OptimizationReport {
        var report = OptimizationReport()
        report.initialChi2 = graph.chi2()
        try run(&report)
        if let gate = options.outlierGate {
            var uf = UnionFind(graph.poses.count)
            var candidates: [Int] = []
            for (k, f) in graph.factors.enumerated() {
                if f.squaredError(graph.poses) > gate { candidates.append(k) } else {
                    for a in f.keys.dropFirst() { uf.union(f.keys[0], a) }
                }
            }
            for k in candidates {
                let keys = graph.factors[k].keys
                // An edge that alone connects two parts stays: removing it would leave no gauge.
                if keys.dropFirst().allSatisfy({ uf.find($0) == uf.find(keys[0]) }) {
                    active[k] = false; report.rejectedFactors.append(k)
                } else { for a in keys.dropFirst() { uf.union(keys[0], a) } }
            }
            if !report.rejectedFactors.isEmpty { try run(&report) }
        }
        report.finalChi2 = graph.chi2()
        report.finalObjective = objective(graph.poses)
        report.symbolicAnalyses = cholesky.analyses
        report.analyzeSeconds = cholesky.analyzeSeconds
        return report
    }

    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    private func run(_ report: inout OptimizationReport) throws(PoseGraphError) {
        var lambda = options.solver == .gaussNewton ? 0 : options.initialLambda
        report.converged = false
        var t = now()
        var cost = linearize()
        report.linearizeSeconds += now() - t
        guard cost.isFinite else { throw .nonFinite(stage: "the initial linearisation") }
        iterations: while report.iterations < options.maxIterations {
            report.iterations += 1
            while true {
                let step: [Double]
                do { step = try solveStep(lambda: lambda, report: &report) } catch {
                    // A damped system that is still indefinite: damp harder (LM only).
                    if case .notPositiveDefinite = error, options.solver == .levenbergMarquardt,
                       lambda < options.maxLambda { lambda = increased(lambda); continue }
                    throw error
                }
                t = now()
                let candidate = retracted(step)
                let newCost = objective(candidate)
                report.evaluateSeconds += now() - t
                if options.solver == .gaussNewton || newCost <= cost {
                    graph.poses = candidate
                    let decrease = cost - newCost
                    lambda = lambda > 1e-11 ? lambda / 10 : 0
                    let done = decrease >= 0 && (decrease <= options.relativeTolerance * cost
                        || decrease <= options.absoluteTolerance)
                    t = now()
                    cost = linearize()
                    report.linearizeSeconds += now() - t
                    guard cost.isFinite else { throw .nonFinite(stage: "an update") }
                    if done { report.converged = true; break iterations }
                    continue iterations
                }
                lambda = increased(lambda)
                if lambda > options.maxLambda { report.converged = true; break iterations }
            }
        }
    }

    /// λ after a rejected step.
    private func increased(_ lambda: Double) -> Double { lambda > 0 ? lambda * 10 : options.dampingAfterRejection }

    /// Marginal covariances (row-major `dof × dof`, the inverse of the information `Jᵀ Λ J` at
    /// the current estimate, the robust weights included) of the given poses. Fixed poses have
    /// no covariance and are rejected.
    @_specialize(where Pose == SE3) @_specialize(where Pose == SE2)
    public func marginalCovariances(of indices: [Int]) throws(PoseGraphError) -> [[Double]] {
        for k in indices where k < 0 || k >= blockOf.count || blockOf[k] < 0 {
            throw .invalidArgument("pose \(k) is fixed or out of range: it has no marginal covariance")
        }
        linearize()
        let values = cholesky.values
        for k in 0..<cholesky.nonZeros { values[k] = undamped[k] }
        try cholesky.factorize()
        let n = cholesky.n
        var rhs = [Double](repeating: 0, count: n * d * indices.count)
        for (q, k) in indices.enumerated() { for c in 0..<d { rhs[(q * d + c) * n + blockOf[k] * d + c] = 1 } }
        let x = try cholesky.solve(rhs, columns: d * indices.count)
        return indices.enumerated().map { q, k in
            var cov = [Double](repeating: 0, count: d * d)
            for r in 0..<d { for c in 0..<d { cov[r * d + c] = x[(q * d + c) * n + blockOf[k] * d + r] } }
            return cov
        }
    }
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
