import Foundation
import Trajectories

/// A reference and an estimate read from files and put in correspondence, as evo's command
/// line does before computing a metric.
public struct TrajectoryPair: Sendable {
    public var reference: Trajectory
    public var estimate: Trajectory
    /// True when the poses were associated by timestamp (else paired by index).
    public var associated: Bool
    /// What a user should know about the input that did not stop the evaluation (for stderr).
    public var warnings: [String] = []

    /// Where the pair comes from and how it is associated.
    public struct Source: Sendable {
        /// The format name given on the command line (kitti, tum, euroc, tartanair).
        public var format: String
        public var referencePath: String
        public var estimatePath: String
        /// KITTI only: a times file (seconds, one per line) for the reference / the estimate.
        public var referenceTimes: String?
        public var estimateTimes: String?
        /// Maximum timestamp difference for association, seconds (evo's `--t_max_diff`).
        public var maxTimeDifference: Double = 0.01
        /// Constant offset added to the estimate's timestamps (evo's `--t_offset`).
        public var timeOffset: Double = 0

        public init(format: String, referencePath: String, estimatePath: String, referenceTimes: String? = nil,
                    estimateTimes: String? = nil, maxTimeDifference: Double = 0.01, timeOffset: Double = 0) {
            self.format = format; self.referencePath = referencePath; self.estimatePath = estimatePath
            self.referenceTimes = referenceTimes; self.estimateTimes = estimateTimes
            self.maxTimeDifference = maxTimeDifference; self.timeOffset = timeOffset
        }
    }

    public init(reference: Trajectory, estimate: Trajectory, associated: Bool) {
        self.reference = reference; self.estimate = estimate; self.associated = associated
    }

    /// Reads both files and associates them: by timestamp (nearest, within `maxTimeDifference`)
    /// when both have timestamps, otherwise by index, which requires equal pose counts.
    ///
    /// As in evo, format `euroc` reads the reference as an EuRoC ground-truth csv and the
    /// estimate as a TUM file; the other formats read both files in the named format.
    public static func load(_ source: Source) throws(EvaluationError) -> TrajectoryPair {
        let format: TrajectoryFormat
        do { format = try TrajectoryFormat(name: source.format) } catch { throw .trajectory(error) }
        if format != .kitti && (source.referenceTimes != nil || source.estimateTimes != nil) {
            throw .invalidOption("--ref_times/--est_times apply to the kitti format only")
        }
        guard source.maxTimeDifference >= 0, source.maxTimeDifference.isFinite, source.timeOffset.isFinite else {
            throw .invalidOption("--t_max_diff must be a non-negative number and --t_offset finite")
        }
        let reference: Trajectory, estimate: Trajectory
        do {
            reference = try TrajectoryFormat.read(URL(fileURLWithPath: source.referencePath), format: format,
                                                  timesFile: source.referenceTimes.map { URL(fileURLWithPath: $0) })
            estimate = try TrajectoryFormat.read(URL(fileURLWithPath: source.estimatePath),
                                                 format: format == .euroc ? .tum : format,
                                                 timesFile: source.estimateTimes.map { URL(fileURLWithPath: $0) })
        } catch { throw .trajectory(error) }
        var warnings: [String] = []
        for (path, trajectory) in [(source.referencePath, reference), (source.estimatePath, estimate)] {
            guard let k = trajectory.firstNonIncreasingTimestamp, let t = trajectory.timestamps else { continue }
            warnings.append("\(path): timestamps do not increase (pose \(k + 1) at \(t[k]) s follows \(t[k - 1]) s): "
                            + "unsorted or duplicated; as evo does, the poses are used in file order")
        }
        if reference.timestamps != nil && estimate.timestamps != nil {
            let synced = try Association.associate(reference: reference, estimate: estimate,
                                                   maxDiff: source.maxTimeDifference, offset: source.timeOffset,
                                                   referenceName: source.referencePath, estimateName: source.estimatePath)
            var pair = TrajectoryPair(reference: synced.reference, estimate: synced.estimate, associated: true)
            pair.warnings = warnings
            return pair
        }
        guard reference.count == estimate.count else {
            throw .countMismatch(reference: source.referencePath, referenceCount: reference.count,
                                 estimate: source.estimatePath, estimateCount: estimate.count)
        }
        var pair = TrajectoryPair(reference: reference, estimate: estimate, associated: false)
        pair.warnings = warnings
        return pair
    }
}
