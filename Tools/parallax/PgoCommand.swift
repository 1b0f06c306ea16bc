import ArgumentParser
import Foundation
import Parallax

/// `parallax pgo`: optimise a g2o pose graph.
struct PgoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgo",
        abstract: "Optimise a g2o pose graph (SE3:QUAT or SE2) with sparse Cholesky.",
        discussion: """
        chi2 is printed two ways: 'log' is Σ rᵀΛr with r = Log(Z⁻¹ Ti⁻¹ Tj), the error optimised \
        (as GTSAM's BetweenFactor; GTSAM's graph.error() is half of it); 'g2o' uses g2o's own \
        EdgeSE3 error (translation, quaternion vector part). For SE2 both are g2o's EdgeSE2 error.
        """
    )

    @Argument(help: "Input g2o file.") var input: String
    @Option(help: "Write the optimised graph to this g2o file.") var out: String?
    @Option(help: "lm or gn (dog-leg is not offered: Levenberg–Marquardt rejects no step on the benchmark graphs, so it would save no factorisation).")
    var solver: String = "lm"
    @Option(name: .customLong("init"), help: "auto (chordal, falling back to the file's poses when it fails), file, chordal or tree.")
    var initialization: String = "auto"
    @Option(help: ArgumentHelp("Information matrices that are not positive definite: strict (an error naming the line and the count) or nearest-pd (replaced by the nearest positive-definite matrix, with a warning and the count).", valueName: "strict|nearest-pd"))
    var information: String = "strict"
    @Option(parsing: .unconditional, help: "Maximum iterations.") var maxIterations: Int = 100
    @Option(parsing: .unconditional, help: "Relative decrease of the objective that ends the optimisation.") var relativeTolerance: Double = 1e-6
    @Option(help: "Robust kernel: none, huber:DELTA or cauchy:DELTA.") var kernel: String = "none"
    @Option(parsing: .unconditional, help: "Deactivate edges whose chi2 exceeds this at the optimum and optimise again.") var gate: Double?
    @Option(help: "CHOLMOD factorisation: supernodal, simplicial or auto (supernodal where it pays).")
    var factorization: String = "auto"
    @Option(parsing: .singleValue, help: "Print the marginal covariance of this vertex id after optimisation (repeatable).")
    var covariance: [Int] = []
    @Flag(help: "Only print the chi2 of the input (no optimisation).") var chi2Only = false

    func run() throws {
        guard let solverKind = SolverKind(rawValue: solver) else {
            throw ValidationError(solver == "dogleg" ? "--solver dogleg is not implemented (see --help); use lm or gn"
                                                     : "--solver must be lm or gn")
        }
        guard let method = InitializationMethod(rawValue: initialization) else {
            throw ValidationError("--init must be auto, file, chordal or tree")
        }
        guard let policy = InformationPolicy(rawValue: information) else {
            throw ValidationError("--information must be strict or nearest-pd")
        }
        if let out { try checkWritable(out) }
        guard maxIterations > 0 else { throw ValidationError("--max-iterations must be positive (got \(maxIterations))") }
        guard relativeTolerance >= 0, relativeTolerance.isFinite else {
            throw ValidationError("--relative-tolerance must be a non-negative number (got \(relativeTolerance))")
        }
        if let gate, !(gate > 0 && gate.isFinite) { throw ValidationError("--gate must be a positive χ² (got \(gate))") }
        var options = OptimizerOptions()
        options.solver = solverKind
        options.maxIterations = maxIterations
        options.relativeTolerance = relativeTolerance
        options.kernel = try parseKernel(kernel)
        options.outlierGate = gate
        guard let factorizationMethod = FactorizationMethod(rawValue: factorization) else {
            throw ValidationError("--factorization must be supernodal, simplicial or auto")
        }
        options.factorization = factorizationMethod
        let t0 = Date()
        do {
            let file = try G2O.load(URL(fileURLWithPath: input), information: policy)
            let readSeconds = Date().timeIntervalSince(t0)
            if let first = file.repairedLines.first {
                FileHandle.standardError.write(Data(("warning: \(input):\(first): the information matrices of "
                    + "\(file.repairedLines.count) edges are not positive definite (the first on this line); each was "
                    + "replaced by its nearest positive-definite matrix\n").utf8))
            }
            let graph = file.graph
            switch graph {
            case let .planar(g): try process(g, dimension: "2D", method: method, options: options, readSeconds: readSeconds)
            case let .spatial(g): try process(g, dimension: "3D", method: method, options: options, readSeconds: readSeconds)
            }
        } catch let error as PoseGraphError {
            var message = "\(error)"
            if !message.contains(input) { message = "\(input): " + message }
            if case .indefiniteInformation = error { message += " (--information nearest-pd repairs them)" }
            throw CLIError(message)
        }
    }

    private func process<P: G2OEncodable>(_ input: FactorGraph<P>, dimension: String, method: InitializationMethod,
                                          options: OptimizerOptions, readSeconds: Double) throws {
        var graph = input
        print("read: \(fmt(readSeconds)) s (\(graph.poses.count) poses, \(graph.factors.count) edges, \(dimension))")
        if chi2Only {
            print("chi2 log: \(graph.chi2())")
            print("chi2 g2o: \(graph.g2oChi2())")
            return
        }
        let indices = try covarianceIndices(in: graph)
        var t = Date()
        let start = try Initialization.initialize(graph, method: method)
        graph.poses = start.poses
        let initSeconds = Date().timeIntervalSince(t)
        var how = start.used.rawValue
        if method == .auto { how = "auto → \(how)" }
        if let reason = start.fallbackReason { how += " (chordal failed: \(reason))" }
        print("init \(how): \(fmt(initSeconds)) s")
        print("initial chi2 log: \(graph.chi2())  g2o: \(graph.g2oChi2())")
        t = Date()
        let optimizer = try PoseGraphOptimizer(graph, options: options)
        let report = try optimizer.optimize()
        let optSeconds = Date().timeIntervalSince(t)
        let result = optimizer.graph
        print("optimise \(options.solver.rawValue): \(fmt(optSeconds)) s, \(report.iterations) iterations, "
              + "\(report.factorizations) factorizations, \(report.symbolicAnalyses) symbolic analysis, "
              + "\(report.converged ? "converged" : "not converged") "
              + "(linearise \(fmt(report.linearizeSeconds)) s, factorise+solve \(fmt(report.solveSeconds)) s of which analysis \(fmt(report.analyzeSeconds)) s, "
              + "evaluate \(fmt(report.evaluateSeconds)) s)")
        if !report.rejectedFactors.isEmpty { print("gated edges: \(report.rejectedFactors.count)") }
        print("final chi2 log: \(result.chi2())  g2o: \(result.g2oChi2())")
        if !covariance.isEmpty {
            t = Date()
            let covs = try optimizer.marginalCovariances(of: indices)
            print("covariances: \(fmt(Date().timeIntervalSince(t))) s (tangent order \(P.dof == 6 ? "ρ, φ" : "x, y, θ"))")
            for (id, c) in zip(covariance, covs) {
                print("covariance \(id):")
                for r in 0..<P.dof {
                    print("  " + (0..<P.dof).map { String(format: "% .6e", c[r * P.dof + $0]) }.joined(separator: " "))
                }
            }
        }
        var writeSeconds = 0.0
        if let out {
            t = Date()
            try G2O.write(result, to: URL(fileURLWithPath: out))
            writeSeconds = Date().timeIntervalSince(t)
            print("write: \(fmt(writeSeconds)) s")
        }
        print("total: \(fmt(readSeconds + initSeconds + optSeconds + writeSeconds)) s")
    }

    /// The pose indices of the `--covariance` vertex ids, checked before any optimisation.
    private func covarianceIndices<P>(in graph: FactorGraph<P>) throws -> [Int] {
        try covariance.map { id in
            guard let k = graph.ids.firstIndex(of: id) else {
                throw ValidationError("--covariance \(id): \(input) has no vertex \(id)")
            }
            return k
        }
    }

    /// Refuses an output path that is a folder or whose folder does not exist, before the work.
    private func checkWritable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("--out \(path): is a folder; give a file name")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw ValidationError("--out \(path): folder \(parent) does not exist")
        }
    }

    private func parseKernel(_ s: String) throws -> RobustKernel {
        if s == "none" { return .none }
        let parts = s.split(separator: ":")
        guard parts.count == 2, let delta = Double(parts[1]), delta > 0 else {
            throw ValidationError("--kernel must be none, huber:DELTA or cauchy:DELTA")
        }
        switch parts[0] {
        case "huber": return .huber(delta: delta)
        case "cauchy": return .cauchy(delta: delta)
        default: throw ValidationError("--kernel must be none, huber:DELTA or cauchy:DELTA")
        }
    }

    private func fmt(_ x: Double) -> String { String(format: "%.4f", x) }
}
