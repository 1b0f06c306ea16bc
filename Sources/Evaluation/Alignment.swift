import Geometry
import Trajectories

/// How the estimate is brought into the reference frame before errors are computed
/// (evo's `-a`, `-s`, `-a -s` and `--align_origin`).
public enum Alignment: String, Sendable, Codable, CaseIterable {
    /// Compare as given.
    case none
    /// Rigid Umeyama alignment of the positions (`-a`).
    case se3
    /// Similarity Umeyama alignment of the positions (`-a -s`).
    case sim3
    /// Scale only, with the scale of the Sim(3) Umeyama solution (`-s`).
    case scale
    /// The first estimate pose moved onto the first reference pose (`--align_origin`).
    case origin

    /// The options of evo's command line that select this alignment.
    public init(align: Bool, correctScale: Bool, alignOrigin: Bool) throws(EvaluationError) {
        if alignOrigin && (align || correctScale) {
            throw .invalidOption("--align_origin cannot be combined with -a/--align or -s/--correct_scale")
        }
        self = alignOrigin ? .origin : align ? (correctScale ? .sim3 : .se3) : (correctScale ? .scale : .none)
    }

    /// evo's line in the result title, e.g. "(with SE(3) Umeyama alignment)".
    public var titleNote: String {
        switch self {
        case .none: "(not aligned)"
        case .se3: "(with SE(3) Umeyama alignment)"
        case .sim3: "(with Sim(3) Umeyama alignment)"
        case .scale: "(scale corrected)"
        case .origin: "(with origin alignment)"
        }
    }
}

/// The estimate after alignment, with the transform that was applied.
public struct AlignedEstimate: Sendable {
    public var estimate: Trajectory
    /// The applied similarity (`nil` for `.none`). For `.scale` only its scale is applied.
    public var transform: Sim3?
}

extension Alignment {
    /// Aligns `estimate` to `reference` (which must have as many poses), as evo's
    /// `PosePath3D.align`/`align_origin` do: the scale multiplies translations first, then
    /// the rigid part is applied on the left. `nToAlign` (evo's `--n_to_align`) uses only the
    /// first poses for Umeyama; `nil` or −1 uses all.
    public func apply(estimate: Trajectory, reference: Trajectory, nToAlign: Int? = nil) throws(EvaluationError) -> AlignedEstimate {
        switch self {
        case .none:
            return AlignedEstimate(estimate: estimate, transform: nil)
        case .origin:
            guard let e0 = estimate.poses.first, let r0 = reference.poses.first else {
                throw .degenerateAlignment("can't align an empty trajectory")
            }
            let toRef = r0 * e0.inverse
            return AlignedEstimate(estimate: estimate.transformedWorld(by: toRef), transform: Sim3(toRef))
        case .se3, .sim3, .scale:
            var n = estimate.count
            if let k = nToAlign, k != -1 {
                guard k >= 1 else { throw .invalidOption("--n_to_align must be a positive number of poses or -1, not \(k)") }
                n = Swift.min(k, n)
            }
            let sim = try alignPositions(Array(estimate.positions.prefix(n)), Array(reference.positions.prefix(n)),
                                           withScale: self != .se3)
            let s = sim.scale, r = sim.rotation, t = sim.translation
            var out = estimate
            out.poses = estimate.poses.map { p in
                let scaled = p.translation * s
                return self == .scale ? SE3(rotation: p.rotation, translation: scaled)
                    : SE3(rotation: r * p.rotation, translation: r * scaled + t)
            }
            return AlignedEstimate(estimate: out, transform: self == .scale ? Sim3(scale: s) : sim)
        }
    }
}
