import Datasets
import Foundation
import Geometry
import Trajectories

/// Why a synthetic sequence cannot be made.
public enum SyntheticError: Error, Equatable, CustomStringConvertible {
    case badOption(String)
    case writeFailed(String, String)

    public var description: String {
        switch self {
        case let .badOption(why): "invalid synthetic sequence option: \(why)"
        case let .writeFailed(path, why): "\(path): cannot write: \(why)"
        }
    }
}

/// A pair of frames that see the same place: camera centres within a distance, far apart in time.
public struct Revisit: Sendable, Equatable {
    public var first: Int
    public var second: Int
    /// Distance between the two camera centres, metres.
    public var distance: Double
}

/// A synthetic stereo sequence with exact ground truth, rendered on demand.
///
/// Everything (world layout, textures, hand-held shake) is fixed by `seed`. Frame 0 is at the
/// identity pose; ground truth poses are `T_world_cam` of the left camera.
///
///     let seq = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 100)
///     let (left, right, depth) = seq.render(frame: 10)
public struct SyntheticSequence: StereoDataset {
    public let world: WorldKind
    public let trajectory: TrajectoryKind
    public let camera: StereoCamera
    public let fps: Double
    /// Requested speed, m/s. A loop or figure eight runs `laps` laps of its route, whose length is
    /// stretched to `speed · duration / laps` but never below the world's smallest block.
    public let speed: Double
    /// Laps of a loop or figure eight (1 by default; later laps revisit every place of the first).
    public let laps: Int
    public let seed: UInt64
    /// Noise, exposure changes and motion blur.
    public let sensor: SensorModel
    public let groundTruth: Trajectory?
    public let timestamps: [Double]
    /// The route the world was built around.
    public let route: Route
    /// The renderer (world geometry and camera).
    public let renderer: StereoRenderer

    public var name: String { "Synthetic \(world.rawValue) \(trajectory.rawValue)" }
    public var frameCount: Int { timestamps.count }
    public var groundTruthFormat: TrajectoryFormat { .kitti }
    public var cameraToGroundTruthSensor: SE3 { .identity }
    /// A warning when the frames are too few for a route with turns (a loop or figure eight is
    /// never shorter than its smallest block): steps over 1.5 m per frame are beyond what a stereo
    /// odometry can track at the corners. Nil when the sequence is drivable (a straight drive has
    /// no corners: 2.5 m per frame, highway speed at 10 Hz, is tracked).
    public var speedWarning: String? {
        let p = poses
        guard p.count > 1, [.loop, .figureEight, .reverse].contains(trajectory) else { return nil }
        let step = (groundTruth?.pathLength ?? 0) / Double(p.count - 1)
        guard step > 1.5 else { return nil }
        let needed = Int(((groundTruth?.pathLength ?? 0) / 0.75).rounded(.up)) + 1
        return String(format: "%d frames make a %.1f m %@: %.2f m per frame; use %d frames or more for a sequence a stereo odometry can follow",
                      p.count, groundTruth?.pathLength ?? 0, trajectory.rawValue, step, needed)
    }

    /// Ground truth poses (non-optional).
    public var poses: [SE3] { groundTruth?.poses ?? [] }

    /// Makes a sequence. Throws for a non-positive frame count, frame rate or speed, or an
    /// invalid camera.
    public init(world: WorldKind, trajectory: TrajectoryKind, camera: StereoCamera, frames: Int,
                fps: Double = 10, speed: Double = 5, laps: Int = 1, seed: UInt64 = 1,
                sensor: SensorModel = SensorModel()) throws(SyntheticError) {
        do { try camera.validate() } catch { throw .badOption(error.description) }
        guard frames > 0 else { throw .badOption("frame count must be positive (got \(frames))") }
        guard fps.isFinite, fps > 0 else { throw .badOption("frame rate must be positive (got \(fps))") }
        guard speed.isFinite, speed > 0 else { throw .badOption("speed must be positive (got \(speed) m/s)") }
        guard (1...100).contains(laps) else { throw .badOption("laps must be 1…100 (got \(laps))") }
        guard laps == 1 || trajectory == .loop || trajectory == .figureEight else {
            throw .badOption("laps apply to loop and figure-eight trajectories only (got \(laps) laps of \(trajectory.rawValue))")
        }
        guard camera.width * camera.height <= 16_000_000 else {
            throw .badOption("image size \(camera.width)×\(camera.height) is too large")
        }
        self.world = world; self.trajectory = trajectory; self.camera = camera
        guard sensor.noise.isFinite, sensor.noise >= 0 else { throw .badOption("noise must be ≥ 0 grey levels (got \(sensor.noise))") }
        guard sensor.exposureChange.isFinite, sensor.exposureChange >= 0, sensor.exposureChange < 1 else {
            throw .badOption("exposure change must be in [0, 1) (got \(sensor.exposureChange))")
        }
        guard sensor.shutter.isFinite, sensor.shutter >= 0, sensor.shutter <= 1 else {
            throw .badOption("shutter must be a fraction of the frame interval in [0, 1] (got \(sensor.shutter))")
        }
        guard (1...63).contains(sensor.blurSamples) else { throw .badOption("blur samples must be in 1…63 (got \(sensor.blurSamples))") }
        self.fps = fps; self.speed = speed; self.laps = laps; self.seed = seed; self.sensor = sensor
        let distance = MotionGenerator.distance(frames: frames, fps: fps, speed: speed) / Double(laps)
        route = world.route(for: trajectory, distance: distance)
        let poses = MotionGenerator(kind: trajectory, route: route, frames: frames, fps: fps, speed: speed, laps: laps, seed: seed).poses()
        timestamps = (0..<frames).map { Double($0) / fps }
        groundTruth = Trajectory(poses: poses, timestamps: timestamps)
        renderer = StereoRenderer(world: world.build(route: route, seed: seed), camera: camera)
    }

    /// Renders frame `index` (0 ..< frameCount): left and right images and the left depth map
    /// (metres, row-major; 0 where the sky is seen).
    public func render(frame index: Int) -> (left: GreyImage, right: GreyImage, depth: [Float]) {
        precondition(index >= 0 && index < frameCount, "frame \(index) out of range 0..<\(frameCount)")
        let p = poses
        let velocity = p.count < 2 ? Vec6.zero
            : index > 0 ? (p[index - 1].inverse * p[index]).log : (p[0].inverse * p[1]).log
        let gain = 1 + sensor.exposureChange * (2 * hash01(Int64(index), 17, seed) - 1)
        let pair = renderer.render(pose: p[index], velocity: velocity, sensor: sensor, gain: gain,
                                   noiseSeed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        return (GreyImage(width: camera.width, height: camera.height, pixels: pair.left),
                GreyImage(width: camera.width, height: camera.height, pixels: pair.right), pair.depth)
    }

    /// The surface seen through sub-pixel (u, v) of one camera in frame `index`.
    public func cast(frame index: Int, eye: StereoRenderer.Eye = .left, u: Double, v: Double) -> SurfaceHit? {
        renderer.cast(pose: poses[index], eye: eye, u: u, v: v)
    }

    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame {
        guard index >= 0 && index < frameCount else { throw .frameOutOfRange(index, count: frameCount) }
        let r = render(frame: index)
        return StereoFrame(index: index, timestamp: timestamps[index], left: r.left, right: r.right)
    }

    /// True revisits: frame pairs (i, j) with j − i ≥ `minGap` whose camera centres are within
    /// `radius` metres and whose viewing directions differ by at most `maxAngle` radians.
    public func revisits(radius: Double = 2, minGap: Int = 30, maxAngle: Double = Double.pi / 4) -> [Revisit] {
        let p = poses
        var out: [Revisit] = []
        for i in p.indices {
            for j in p.indices where j - i >= minGap {
                let d = (p[i].translation - p[j].translation).norm
                guard d <= radius else { continue }
                let angle = (p[i].rotation.inverse * p[j].rotation).angle
                if angle <= maxAngle { out.append(Revisit(first: i, second: j, distance: d)) }
            }
        }
        return out
    }
}

/// Stereo cameras for synthetic sequences.
public enum CameraPreset: String, CaseIterable, Sendable {
    /// 640×480, f = 460 px, baseline 0.25 m.
    case vga
    /// KITTI-like 1226×370, f = 707 px, baseline 0.54 m.
    case kitti
    /// TartanAir's camera: 640×480, f = 320 px, principal point (320, 240), baseline 0.25 m.
    case tartanair

    public var camera: StereoCamera {
        switch self {
        case .vga: StereoCamera(fx: 460, fy: 460, cx: 319.5, cy: 239.5, baseline: 0.25, width: 640, height: 480)
        case .kitti: StereoCamera(fx: 707.0912, fy: 707.0912, cx: 601.8873, cy: 183.1104, baseline: 0.54, width: 1226, height: 370)
        case .tartanair: StereoCamera(fx: 320, fy: 320, cx: 320, cy: 240, baseline: 0.25, width: 640, height: 480)
        }
    }
}
