import Geometry
import Trajectories

/// Why an evaluation could not be computed. Every case that concerns input names the file(s).
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A trajectory file could not be read (the wrapped error names the file and line).
    case trajectory(TrajectoryError)
    /// Without timestamps poses are paired by index, so both files need the same number of poses.
    case countMismatch(reference: String, referenceCount: Int, estimate: String, estimateCount: Int)
    /// Timestamp association found no pair within `maxDiff` seconds.
    case noMatchingTimestamps(reference: String, estimate: String, maxDiff: Double, offset: Double)
    /// Umeyama alignment needs points spanning at least a line with spread (rank ≥ 2 covariance).
    case degenerateAlignment(String)
    /// An RPE delta selected no pose pair.
    case noPairs(String)
    /// An option value that cannot be used (e.g. negative delta, -a with --align_origin).
    case invalidOption(String)
    /// The errors are not finite: the trajectories hold values so large that their differences
    /// overflow (or not numbers at all); a result would be meaningless.
    case nonFiniteResult(String)

    public var description: String {
        switch self {
        case let .trajectory(e): e.description
        case let .countMismatch(r, rc, e, ec):
            "\(r) has \(rc) poses but \(e) has \(ec): without timestamps poses are compared by index, "
                + "so both files need the same number of poses (give --ref_times/--est_times to associate by time)"
        case let .noMatchingTimestamps(r, e, d, o):
            "found no matching timestamps between \(r) and \(e) with max. time diff \(d) (s) and time offset \(o) (s)"
        case let .degenerateAlignment(why): "alignment is not possible: \(why)"
        case let .noPairs(why): why
        case let .invalidOption(why): why
        case let .nonFiniteResult(what): "the \(what) are not finite numbers: the trajectories hold values too large to compare"
        }
    }
}

/// Umeyama alignment (Geometry) with its failure reported as an evaluation error.
func alignPositions(_ x: [Vec3], _ y: [Vec3], withScale: Bool, minimumRank: Int = 2) throws(EvaluationError) -> Sim3 {
    do { return try umeyamaAlignment(x, y, withScale: withScale, minimumRank: minimumRank) } catch {
        throw .degenerateAlignment(error.description)
    }
}

/// `statistics` when every figure is finite; an error otherwise (never a silent nan or inf).
func requireFinite(_ statistics: ErrorStatistics, _ what: String) throws(EvaluationError) -> ErrorStatistics {
    let s = statistics
    guard [s.rmse, s.mean, s.median, s.std, s.min, s.max, s.sse].allSatisfy(\.isFinite) else { throw .nonFiniteResult(what) }
    return s
}
