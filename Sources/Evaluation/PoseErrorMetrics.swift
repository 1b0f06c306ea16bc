import Geometry
import Trajectories

/// The errors of one metric run and their statistics, with evo's title.
public struct PoseErrorResult: Sendable {
    /// "APE" or "RPE".
    public var metric: String
    /// evo's title, e.g. "APE w.r.t. translation part (m)\n(with SE(3) Umeyama alignment)".
    public var title: String
    public var poseRelation: PoseRelation
    public var alignment: Alignment
    /// The similarity applied to the estimate (nil without alignment).
    public var alignmentTransform: Sim3?
    /// One error per pose (APE) or per pair (RPE).
    public var errors: [Double]
    /// For RPE, the pose index pairs the errors belong to.
    public var pairs: [(Int, Int)]
    public var statistics: ErrorStatistics
    /// The reference and the aligned estimate that were compared.
    public var reference: Trajectory
    public var alignedEstimate: Trajectory

    /// The errors as CSV: `index,t,error` for APE (pose index, seconds from the first pose or
    /// empty) and `i,j,t,error` for RPE (the pair's poses, seconds at `j`).
    public var errorsCSV: String {
        let t = alignedEstimate.timestamps
        func time(_ k: Int) -> String { t.map { "\($0[k] - $0[0])" } ?? "" }
        var out = pairs.isEmpty ? "index,t,error\n" : "i,j,t,error\n"
        out.reserveCapacity(errors.count * 32)
        if pairs.isEmpty {
            for (k, e) in errors.enumerated() { out += "\(k),\(time(k)),\(e)\n" }
        } else {
            for ((i, j), e) in zip(pairs, errors) { out += "\(i),\(j),\(time(j)),\(e)\n" }
        }
        return out
    }

    /// Where each error sits along the trajectory: seconds from the estimate's first pose
    /// (or the pose index without timestamps) of the pose (APE) or of the pair's end (RPE).
    public var errorPositions: (values: [Double], label: String) {
        let ids = pairs.isEmpty ? Array(errors.indices) : pairs.map(\.1)
        if let t = alignedEstimate.timestamps, let t0 = t.first { return (ids.map { t[$0] - t0 }, "t (s)") }
        return (ids.map(Double.init), "index")
    }
}

/// Absolute pose error (`evo.core.metrics.APE` with `evo.main_ape.ape`'s alignment).
public enum APE {
    /// The APE of `estimate` against `reference`, which must have as many poses (associate
    /// them first when they have timestamps).
    public static func evaluate(reference: Trajectory, estimate: Trajectory, relation: PoseRelation = .translationPart,
                                alignment: Alignment = .none, nToAlign: Int? = nil) throws(EvaluationError) -> PoseErrorResult {
        try checkCounts(reference, estimate)
        let aligned = try alignment.apply(estimate: estimate, reference: reference, nToAlign: nToAlign)
        let est = aligned.estimate.poses, ref = reference.poses
        var errors = [Double](repeating: 0, count: ref.count)
        if relation == .translationPart {
            for i in ref.indices { errors[i] = (est[i].translation - ref[i].translation).norm }
        } else {
            for i in ref.indices { errors[i] = relation.error(of: est[i].inverse * ref[i]) }
        }
        var title = "APE w.r.t. \(relation.title) (\(relation.unit))\n\(alignment.titleNote)"
        if let n = nToAlign, n != -1, alignment.usesUmeyama { title += " (aligned poses: \(n))" }
        return PoseErrorResult(metric: "APE", title: title, poseRelation: relation, alignment: alignment,
                               alignmentTransform: aligned.transform, errors: errors, pairs: [],
                               statistics: try requireFinite(ErrorStatistics(errors), "pose errors"), reference: reference, alignedEstimate: aligned.estimate)
    }

    static func checkCounts(_ reference: Trajectory, _ estimate: Trajectory) throws(EvaluationError) {
        guard reference.count == estimate.count else {
            throw .countMismatch(reference: "reference", referenceCount: reference.count,
                                 estimate: "estimate", estimateCount: estimate.count)
        }
        guard !reference.isEmpty else { throw .noPairs("no poses to compare") }
    }
}

/// Relative pose error (`evo.core.metrics.RPE`): `E = (Q_i⁻¹Q_j)⁻¹(P_i⁻¹P_j)` for the pairs
/// `(i, j)` selected on the (aligned) estimate, or on the reference with `pairsFromReference`.
public enum RPE {
    /// The options of an RPE run, with evo's defaults.
    public struct Options: Sendable {
        public var delta: Double = 1
        public var deltaUnit: DeltaUnit = .frames
        /// Relative tolerance of `delta` for all-pairs selection in metres (`--delta_tol`).
        public var relativeDeltaTolerance: Double = 0.1
        public var allPairs = false
        public var pairsFromReference = false
        public init(delta: Double = 1, deltaUnit: DeltaUnit = .frames, relativeDeltaTolerance: Double = 0.1,
                    allPairs: Bool = false, pairsFromReference: Bool = false) {
            self.delta = delta; self.deltaUnit = deltaUnit; self.relativeDeltaTolerance = relativeDeltaTolerance
            self.allPairs = allPairs; self.pairsFromReference = pairsFromReference
        }
    }

    /// The RPE of `estimate` against `reference` (as many poses; associate them first when they
    /// have timestamps). The estimate is aligned first, as `evo.main_rpe.rpe` does; pairs are
    /// selected on the aligned estimate unless `options.pairsFromReference`.
    public static func evaluate(reference: Trajectory, estimate: Trajectory, relation: PoseRelation = .translationPart,
                                options: Options = Options(), alignment: Alignment = .none,
                                nToAlign: Int? = nil) throws(EvaluationError) -> PoseErrorResult {
        guard options.delta > 0, options.delta.isFinite else {
            throw .invalidOption("--delta must be a positive number (got \(options.delta)): pairs are delta apart")
        }
        if options.deltaUnit == .frames && options.delta.rounded() != options.delta {
            throw .invalidOption("delta must be integer for delta unit frames")
        }
        try APE.checkCounts(reference, estimate)
        let aligned = try alignment.apply(estimate: estimate, reference: reference, nToAlign: nToAlign)
        let est = aligned.estimate.poses, ref = reference.poses
        let source = options.pairsFromReference ? ref : est
        let pairs: [(Int, Int)] = switch options.deltaUnit {
        case .frames: PairSelection.byIndex(count: source.count, delta: Int(options.delta), allPairs: options.allPairs)
        case .meters: PairSelection.byPath(positions: source.map(\.translation), delta: options.delta,
                                           tolerance: options.delta * options.relativeDeltaTolerance,
                                           allPairs: options.allPairs)
        case .degrees, .radians:
            try anglePairs(source, options)
        }
        let deltaText = options.deltaUnit == .frames ? "\(Int(options.delta))" : "\(options.delta)"
        guard !pairs.isEmpty else {
            throw .noPairs("delta = \(deltaText) (\(options.deltaUnit.title)) produced an empty index list - try lower values or a less strict tolerance")
        }
        let errors = pairs.map { i, j in
            let q = ref[i].inverse * ref[j], p = est[i].inverse * est[j]
            return relation.error(of: q.inverse * p)
        }
        var title = "RPE w.r.t. \(relation.title) (\(relation.unit))\nfor delta = \(deltaText) (\(options.deltaUnit.title))"
        title += options.allPairs ? " using all pairs" : " using consecutive pairs"
        title += "\n\(alignment.titleNote)"
        if let n = nToAlign, n != -1, alignment.usesUmeyama { title += " (aligned poses: \(n))" }
        return PoseErrorResult(metric: "RPE", title: title, poseRelation: relation, alignment: alignment,
                               alignmentTransform: aligned.transform, errors: errors, pairs: pairs,
                               statistics: try requireFinite(ErrorStatistics(errors), "pose errors"), reference: reference, alignedEstimate: aligned.estimate)
    }
}

extension RPE {
    static func anglePairs(_ poses: [SE3], _ options: Options) throws(EvaluationError) -> [(Int, Int)] {
        let degrees = options.deltaUnit == .degrees
        let bound = degrees ? 180.0 : Double.pi
        guard options.delta >= 0 && options.delta <= bound else {
            throw .invalidOption("delta angle must be within [0, \(degrees ? "180" : "π")] \(options.deltaUnit.title)")
        }
        let toRadians = degrees ? Double.pi / 180 : 1
        return PairSelection.byAngle(rotations: poses.map(\.rotation.matrix), delta: options.delta * toRadians,
                                     tolerance: options.delta * options.relativeDeltaTolerance * toRadians,
                                     allPairs: options.allPairs)
    }
}

extension Alignment {
    /// True for the alignments computed with Umeyama's method.
    public var usesUmeyama: Bool { self == .se3 || self == .sim3 || self == .scale }
}
