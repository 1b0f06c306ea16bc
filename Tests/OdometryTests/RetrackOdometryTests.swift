import Frontend
import Geometry
import Imaging
import Odometry
import Testing
import TestSupport

/// A frame whose motion the tracker's pyramid and the constant-velocity predictions miss is
/// tracked again with a deeper pyramid (`retrack_levels`) instead of being lost.
///
/// The scene is a textured wall facing the camera at 5 m (18 px of disparity); the camera slides
/// right by 1/30 m per frame (2 px of image motion), then jumps 0.5 m in one frame (30 px, where
/// the predictions say 2; inside the motion prior's gate). The tracker is given one pyramid level
/// above the base, which reaches about 10 px: the jump is beyond it, and within the reach of three.
@Suite struct RetrackOdometryTests {
    let w = 320, h = 200
    var camera: StereoCamera { StereoCamera(fx: 300, fy: 300, cx: 160, cy: 100, baseline: 0.3, width: w, height: h) }
    /// Image shift per frame, px (1/60 m of camera motion per px at 5 m).
    let shifts: [Double] = [0, 2, 4, 6, 8, 10, 40, 42, 44]
    let wall = Texture(width: 480, height: 260, seed: 11)

    func run(retrackLevels: Int) throws -> [FrameResult] {
        var config = OdometryConfig()
        config.frontend.lkLevels = 1
        config.retrackLevels = retrackLevels
        config.windowSize = 0
        let vo = try VisualOdometry(camera: camera, config: config)
        return try shifts.enumerated().map { i, s in
            try vo.process(left: wall.image(w, h, dx: s, dy: 0), right: wall.image(w, h, dx: s + 18, dy: 0), timestamp: Double(i) / 10)
        }
    }

    @Test func theJumpIsTrackedAgainAndSolved() throws {
        let results = try run(retrackLevels: 2)
        #expect(results.allSatisfy { $0.state != .lost })
        // The frame after the jump is retracked too: the predictions then expect a second jump.
        #expect(results.map(\.stats.retracked) == shifts.indices.map { $0 == 6 || $0 == 7 })
        // Seen on one wall, a sideways slide and a yaw move the image alike; the jump's 0.5 m
        // deviation from the prediction leaves a few centimetres to the motion prior's pull.
        for (r, s) in zip(results, shifts) {
            #expect(abs(r.pose.translation.x - s / 60) < 0.03, "frame \(r.index): x \(r.pose.translation.x) m, truth \(s / 60) m")
        }
    }

    @Test func withoutTheRetrackTheJumpIsLost() throws {
        // The same frames with the retrack off: the check above is not passing for another reason.
        let results = try run(retrackLevels: 0)
        #expect(results[6].state == .lost)
        #expect(results.allSatisfy { !$0.stats.retracked })
    }
}
