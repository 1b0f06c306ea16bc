import Frontend

/// How point residuals are weighted in the pose solve (the MAC-VO ablation, METHOD.md §1).
public enum WeightingMode: String, Sendable, CaseIterable, Codable {
    /// The full 3×3 metric covariance, off-diagonal terms included.
    case full
    /// Only the diagonal of each covariance.
    case diagonal
    /// Every point weighs the same (unit covariance, metres or pixels).
    case identity
}

/// Which residual the pose solve minimises (METHOD.md §5).
public enum ResidualKind: String, Sendable, CaseIterable, Codable {
    /// 3D–3D: r = T q − p with weight (R Σ_q Rᵀ + Σ_p)⁻¹; needs stereo in both frames.
    case pointToPoint
    /// Reprojection plus disparity: r = [π(T⁻¹p) − uv; f·b/Z − δ] with the measurement covariance
    /// plus the map point's covariance propagated into the image.
    case reprojection
}

/// Visual-odometry parameters, with documented defaults.
public struct OdometryConfig: Sendable, Equatable {
    /// The front end's parameters.
    public var frontend = FrontendConfig()
    /// Residual weighting. Default `.full`.
    public var weighting = WeightingMode.full
    /// Residual used in the pose solve. Default `.pointToPoint` (the 3D–3D Mahalanobis residual):
    /// against the reprojection + disparity residual it gives equal or lower ATE on KITTI 06
    /// (0.0745 vs 0.0765 m), EuRoC V1_01 (0.0006 vs 0.0007 m) and the synthetic canyon loop
    /// (0.077 vs 0.134 m); see BENCHMARKS.md and Tools/bench/ablation.sh.
    public var residual = ResidualKind.pointToPoint
    /// Covariance-aware keypoint selection for keyframe points (METHOD.md §4); off = plain grid.
    public var selectorEnabled = true
    /// Points kept per keyframe by the selector. Default 600.
    public var selectedPoints = 600
    /// Selector border, pixels (MAC-VO: 32). Default 32.
    public var selectorBorder = 32.0
    /// Selector median gate: drop points whose σ_z² or tr Σ_uv exceed this × the median. Default 2
    /// (1.5 kept only ~45 % of the synthetic sequences' points and lost to a plain grid there;
    /// 2 beats the grid on KITTI 06, EuRoC, the synthetic loop and room: BENCHMARKS.md).
    public var selectorMedianFactor = 2.0
    /// Points with smaller disparity are not triangulated, pixels. Default 1.
    public var minDisparity = 1.0
    /// χ² gate per residual at 3 dof (99 %: 11.34; 2-dof residuals use the same quantile, 9.21).
    /// A tighter gate biases the solve: it trims genuine inliers in a pattern that follows the
    /// hypothesis' own error. Default 11.34.
    public var inlierChiSquare = 11.34
    /// Huber threshold on the Mahalanobis distance √(rᵀWr). Default 2.45.
    public var huberThreshold = 2.45
    /// RANSAC: maximum hypotheses and success probability. Default 200, 0.999.
    public var ransacIterations = 200
    public var ransacConfidence = 0.999
    /// Fewer inliers than this is a tracking loss. Default 15.
    public var minInliers = 15
    /// When a frame's solve fails, it is tracked again from the previous frame with this many more
    /// pyramid levels (the same predictions) and solved once more before the frame is rescued or
    /// lost: a sudden turn can move the image further than the constant-velocity predictions and
    /// the pyramid reach. Only failed frames pay for it, so frames that track are unchanged (a
    /// deeper pyramid on every frame costs accuracy on real images). 0 turns it off. Default 1.
    public var retrackLevels = 1
    /// A new keyframe when the inliers drop below this fraction of the keyframe's points. Default 0.5.
    public var keyframeInlierFraction = 0.5
    /// A new keyframe after this translation (metres) or rotation (radians) from the last one.
    public var keyframeTranslation = 2.0
    public var keyframeRotation = 0.15
    /// Keyframes in the sliding-window optimisation (each new keyframe is also solved against the
    /// older window keyframes it still sees; a pose graph over the window refines it). 0 or 1 turns
    /// it off. Default 8: against 5, with the bundle adjustment, the rendered 1200-frame canyon's
    /// t_err falls from 0.70 to 0.53 % (7 and 10 keyframes: 0.53, 0.54 %), KITTI 01 frames 0–25
    /// 0.023 → 0.021 m, KITTI 06 0.058 m either way; on the six rendered loops the odometry alone
    /// is better on four and worse on two, loop-closed better on three, worse on two
    /// (BENCHMARKS.md; measured with the selector's points in the adjustment). A KITTI 06 run
    /// takes ≈ 7 % longer.
    public var windowSize = 8
    /// Local bundle adjustment over the window at every new keyframe (`BundleAdjustment`): poses
    /// and the points two or more window keyframes see, every observation weighted by its
    /// calibrated (u, v, δ) covariance; the window keyframes take the refined poses. Default true:
    /// with the refined trajectory (`KeyframeRefinement`) and a 5-keyframe window it lowers the ATE
    /// on KITTI 01 frames 0–25 (0.037 → 0.023 m) and the rendered loop, raises it on KITTI 06
    /// (0.052 → 0.058 m); BENCHMARKS.md has every figure.
    public var bundleAdjustment = true
    /// The bundle adjustment's points: every stereo point two or more window keyframes see (true),
    /// or only those the keypoint selector kept for tracking (false). The selector chooses a budget
    /// of well-conditioned points for each frame's pose solve and drops the far ones (their depth
    /// is uncertain); in the adjustment every point weighs by its own covariance, and the far points
    /// the selector drops hold the window's rotation. Default true: the 1200-frame canyon's t_err
    /// 0.51 → 0.29 % (rotation 0.44 → 0.26°/100 m), TartanAir 0.0037 → 0.0022 m, the rendered loop
    /// 0.114 → 0.106 m, KITTI 06 and EuRoC unchanged, KITTI 01 frames 0–25 0.021 → 0.044 m
    /// (BENCHMARKS.md).
    public var bundleAdjustmentAllPoints = true
    /// The new keyframe's points take the bundle adjustment's refined positions (for the frames
    /// that track them). Default false: on real images the refined points fit the next frames
    /// worse than the keyframe's own stereo (KITTI 01: 0.023 → 0.035 m, KITTI 06: 0.058 →
    /// 0.062 m, measured with the selector's points in the adjustment); with every point in it
    /// they are worse everywhere (1200-frame canyon t_err 0.29 → 0.42 %, KITTI 06 0.058 → 0.062 m).
    public var bundleAdjustmentRefinesPoints = false
    /// Disparity offset of the rig, px: added to every measured disparity (true = measured +
    /// offset; a small relative yaw of the rectified cameras shifts all disparities alike). With
    /// `estimateDisparityOffset`, the value the online estimate starts from. Default 0.
    public var disparityOffset = 0.0
    /// Estimate the disparity offset online from the keyframes (`DisparityOffsetEstimator`: points
    /// at different depths must agree on one motion), applied once it leaves `disparityOffset` by
    /// more than 0.5 px. Default true: on the real highway excerpt (KITTI 01) it finds +1.2 px and
    /// the distance error falls from +6.9 % to +1.5 %; elsewhere it stays inside the deadband.
    public var estimateDisparityOffset = true
    /// Levenberg–Marquardt iterations of the local bundle adjustment. Default 5.
    public var bundleAdjustmentIterations = 5
    /// Compute ORB descriptors of each new keyframe's points (`FrameResult.keyframe`), for place
    /// recognition. Default true.
    public var describeKeyframes = true
    /// Gauss–Newton iterations of the pose solve. Default 10.
    public var solverIterations = 10
    /// Floor on the image-plane variances the pose solve uses (Σ_uv and σ_δ², px²). The front end's
    /// variances are metric on synthetic images (NEES ≈ 1); real cameras add errors that model
    /// does not see (calibration, blur, moving objects), and on KITTI 06 solving with METHOD.md's
    /// 0.0625 px² floor gives ATE 0.078 m against 0.098 m without it (BENCHMARKS.md). 0: none.
    /// Default 0.0625.
    public var measurementVarianceFloor = 0.0625
    /// Constant-velocity motion prior: standard deviation of the deviation from the predicted
    /// pose per frame, translation (metres) and rotation (radians). The prior holds directions
    /// the image cannot fix (far points only, repeated texture) at the prediction, and RANSAC
    /// hypotheses beyond its 99.9 % gate are refused. 0 turns it off. Defaults 0.25 m, 0.1 rad
    /// (weak: a well-observed pose is constrained to millimetres).
    public var motionPriorTranslation = 0.25
    public var motionPriorRotation = 0.1
    /// RANSAC seed (the whole pipeline is deterministic).
    public var seed: UInt64 = 0x5EED
    /// `seed` as a setting: configuration files hold 64-bit signed integers, so seeds of 2⁶³ or
    /// more appear as their negative bit pattern.
    public var seedSetting: Int {
        get { Int(truncatingIfNeeded: seed) }
        set { seed = UInt64(truncatingIfNeeded: newValue) }
    }

    public init() {}
}
