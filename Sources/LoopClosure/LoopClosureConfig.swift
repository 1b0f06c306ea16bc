import Foundation
import Frontend

/// Where the place index gets its words.
public enum WordSource: Sendable {
    /// Locality-sensitive hashing of the descriptors: nothing to train.
    case hashed
    /// A vocabulary tree trained from the run's own first `keyframes` keyframes (default 20:
    /// about 60–80 frames, before any candidate is old enough to be a loop), with `branching`
    /// children per node and `depth` levels.
    case trainOnFirstUse(keyframes: Int, branching: Int, depth: Int)
    /// A vocabulary trained beforehand (`parallax vocab`).
    case vocabulary(Vocabulary)
}

/// Loop-closure settings with documented defaults.
public struct LoopClosureConfig: Sendable {
    /// The place index's words. Default: a 10 × 3 vocabulary trained on the first 20 keyframes.
    public var words: WordSource = .trainOnFirstUse(keyframes: 20, branching: 10, depth: 3)
    /// Keyframes closer in time than this many frames are never loop candidates. Default 60.
    public var minFrameGap = 60
    /// Candidates verified per keyframe (best place-recognition scores first). Default 3.
    public var candidates = 3
    /// Smallest cosine similarity of the bags of words worth verifying. Default 0.05.
    public var minScore = 0.05
    /// A candidate's score relative to the query's similarity with its own previous keyframe (the
    /// best score a true revisit can hope for): below this share it is not verified. Default 0.25.
    public var minRelativeScore = 0.25
    /// Consistency (covisibility): a verified loop is refused when a neighbouring keyframe of the
    /// candidate verifies against the query with a relative pose that disagrees (χ² over `gate`);
    /// it is confirmed when one agrees; when no neighbour verifies (e.g. the last frames of a lap
    /// overlap only the first keyframe), it is kept only with at least this many inliers, and the
    /// odometry gate and the χ² at the optimum still judge it. Default 25, the verifier's own
    /// minimum: 40 had left the start revisit of a noisy 600-frame lap unconfirmed (26 inliers;
    /// ATE 0.389 m instead of 0.189 m) and refused no false loop on any measured sequence.
    public var unconfirmedMinInliers = 25
    /// χ² (6 dof) above which a loop is refused (99.9 %: 22.46): the confirmation, against the
    /// odometry chain before the solve, and against the optimum after it.
    public var gate = 22.46
    /// Inflation of the odometry chain's compounded covariance in the consistency test. The
    /// per-frame pose covariance is consistent (pose NEES 6.2 for 6 dof) but compounding ignores
    /// the correlation between solves that share keyframe points, so long chains are optimistic:
    /// the true loop closing a 150 m synthetic loop scores χ² 49 uncorrected. Default 10.
    public var chainInflation = 10.0
    /// Keyframes per submap: a new submap (and anchor) every this many keyframes, and whenever
    /// tracking is lost. Default 10.
    public var submapKeyframes = 10
    /// After the anchor graph, solve the full keyframe pose graph from its result (global then
    /// local). Default true.
    public var refineKeyframes = true
    public init() {}
}

extension LoopClosureConfig {
    /// Every loop-closure setting with its key and allowed range (the words are chosen by the
    /// pipeline's `vocabulary` setting).
    public static let settings: [Setting<LoopClosureConfig>] = [
        .integer("loop_min_frame_gap", \.minFrameGap, SettingBounds(1, 1_000_000)),
        .integer("loop_candidates", \.candidates, SettingBounds(1, 100)),
        .number("loop_min_score", \.minScore, SettingBounds(0, 1)),
        .number("loop_min_relative_score", \.minRelativeScore, .nonNegative),
        .integer("loop_unconfirmed_min_inliers", \.unconfirmedMinInliers, SettingBounds(3, 100_000)),
        .number("loop_gate", \.gate, .positive),
        .number("loop_chain_inflation", \.chainInflation, SettingBounds(1, .infinity)),
        .integer("submap_keyframes", \.submapKeyframes, SettingBounds(1, 100_000)),
        .flag("refine_keyframes", \.refineKeyframes),
    ]
}
