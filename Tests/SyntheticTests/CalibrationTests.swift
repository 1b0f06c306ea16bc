import Frontend
import Geometry
import Synthetic
import Testing

/// METHOD.md §2: the front end's uncertainties are metric. On a synthetic sequence with exact
/// depth and motion, the normalised errors of disparity and of the temporal match average ≈ 1.
@Suite struct UncertaintyCalibrationTests {
    @Test(arguments: [(WorldKind.canyon, TrajectoryKind.straight), (.canyon, .wobble), (.room, .wobble)])
    func meanNEESIsCalibrated(_ world: WorldKind, _ trajectory: TrajectoryKind) throws {
        let camera = CameraPreset.vga.camera
        let seq = try SyntheticSequence(world: world, trajectory: trajectory, camera: camera, frames: 40,
                                        speed: world == .room ? 1 : 5, seed: 3)
        let frontend = try Frontend(camera: camera)
        var check = TruthCheck(camera: camera)
        for i in 0..<seq.frameCount {
            let r = seq.render(frame: i)
            let (features, _) = try frontend.process(left: r.left, right: r.right)
            let depth = { (uv: SIMD2<Double>) in seq.cast(frame: i, u: uv.x, v: uv.y)?.depth }
            let previous = i > 0 ? { (uv: SIMD2<Double>) in seq.cast(frame: i - 1, u: uv.x, v: uv.y)?.depth } : nil
            check.add(features: features, depth: depth, previousDepth: previous,
                      motion: i > 0 ? seq.poses[i].inverse * seq.poses[i - 1] : nil)
        }
        let disparity = GeometryCheck.trimmedMean(check.disparityNEES) ?? .nan
        let flow = GeometryCheck.trimmedMean(check.flowNEES) ?? .nan
        print("NEES \(world) \(trajectory): disparity \(disparity) flow \(flow) (n \(check.disparityNEES.count), \(check.flowNEES.count)); median errors δ \(GeometryCheck.median(check.disparityErrors) ?? 0) uv \(GeometryCheck.median(check.flowErrors) ?? 0)")
        #expect(check.disparityNEES.count > 1000 && check.flowNEES.count > 1000)
        #expect((0.5...2).contains(disparity), "disparity NEES \(disparity)")
        #expect((0.5...2).contains(flow), "flow NEES \(flow)")
    }
}
