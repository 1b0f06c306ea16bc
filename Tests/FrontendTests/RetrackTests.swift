import Frontend
import Geometry
import Imaging
import Testing
import TestSupport

/// `Frontend.retrack`: the last frame tracked again from the same previous frame with a deeper
/// pyramid, replacing the first tracking's result and state.
@Suite struct RetrackTests {
    let w = 320, h = 200
    var camera: StereoCamera { StereoCamera(fx: 300, fy: 300, cx: 160, cy: 100, baseline: 0.3, width: w, height: h) }
    let texture = Texture(width: 420, height: 300, seed: 7)

    func frame(_ dx: Double, _ dy: Double) -> (GreyImage, GreyImage) {
        (texture.image(w, h, dx: dx, dy: dy), texture.image(w, h, dx: dx + 6, dy: dy))
    }

    /// A front end whose tracker uses `levels` pyramid levels above the base.
    func frontend(levels: Int) throws -> Frontend {
        var config = FrontendConfig()
        config.lkLevels = levels
        return try Frontend(camera: camera, config: config)
    }

    @Test func refusesWithoutAPreviousFrame() throws {
        let fe = try Frontend(camera: camera)
        let (l, r) = frame(0, 0)
        #expect(throws: FrontendError.self) { try fe.retrack(left: l, right: r, extraLevels: 1) }
        _ = try fe.process(left: l, right: r)
        // The first frame had no previous one either.
        #expect(throws: FrontendError.self) { try fe.retrack(left: l, right: r, extraLevels: 1) }
    }

    @Test func withNoExtraLevelsItRepeatsTheFrameExactly() throws {
        // Retracking with the same pyramid must give the same features, and leave the front end
        // where the first tracking left it: the next frame is the same as without the retrack.
        let (l0, r0) = frame(0, 0), (l1, r1) = frame(4.2, -2.7), (l2, r2) = frame(8.1, -5.0)
        let plain = try Frontend(camera: camera), again = try Frontend(camera: camera)
        for fe in [plain, again] { _ = try fe.process(left: l0, right: r0) }
        let first = try plain.process(left: l1, right: r1).features
        _ = try again.process(left: l1, right: r1)
        let repeated = try again.retrack(left: l1, right: r1, extraLevels: 0).features
        #expect(first == repeated)
        let next = try plain.process(left: l2, right: r2).features
        let nextAfterRetrack = try again.process(left: l2, right: r2).features
        #expect(next == nextAfterRetrack)
        #expect(next.filter { $0.isTracked }.count > 100)
    }

    @Test func aDeeperPyramidReachesAMotionTheFirstTrackingMissed() throws {
        // 26 px of motion with no prediction: beyond a one-level pyramid (11 px window), within
        // three. Tracked again with two more levels, the frame is exactly what a front end built
        // with three levels makes of it (the added levels are the ones it would have built).
        let shallow = try frontend(levels: 1), deep = try frontend(levels: 3)
        let (l0, r0) = frame(0, 0), (l1, r1) = frame(26, 0)
        let start = try shallow.process(left: l0, right: r0).features
        _ = try deep.process(left: l0, right: r0)
        let missed = try shallow.process(left: l1, right: r1).features
        let reached = try shallow.retrack(left: l1, right: r1, extraLevels: 2).features
        #expect(reached == (try deep.process(left: l1, right: r1).features))
        let correct = { (fs: [Feature]) in
            fs.filter { f in f.previousUV.map { p in abs(f.uv.x - p.x + 26) < 0.2 && abs(f.uv.y - p.y) < 0.2 } ?? false }.count
        }
        #expect(Double(correct(missed)) < 0.1 * Double(start.count), "\(correct(missed)) of \(start.count) tracked by one level")
        #expect(Double(correct(reached)) > 0.4 * Double(start.count), "\(correct(reached)) of \(start.count) tracked by three")
        // New features fill the grid from the same id counter as the first tracking's did.
        let firstNew = missed.filter { !$0.isTracked }.map { $0.id }.min() ?? 0
        #expect(reached.filter { !$0.isTracked }.allSatisfy { $0.id >= firstNew })
        #expect(Set(reached.map { $0.id }).count == reached.count)
    }
}
