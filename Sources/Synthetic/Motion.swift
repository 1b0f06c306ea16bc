import Geometry

/// The camera paths a synthetic sequence can follow.
public enum TrajectoryKind: String, CaseIterable, Sendable {
    /// Straight drive along +z at constant speed.
    case straight
    /// Laps around a city block (or the room's table), one by default; the last frame returns
    /// exactly to the first pose.
    case loop
    /// A figure eight through the street grid: clockwise round one block, anticlockwise round the
    /// next; the middle street is driven twice, and the last frame returns to the first pose.
    case figureEight = "figure-eight"
    /// Hand-held 6-DoF motion: a slow walk along +z with smooth shake in all six axes.
    case wobble
    /// Straight drive along +z, then the same street driven back in the opposite direction
    /// (a 180° turn on the spot at the far end, spread over a few frames).
    case reverse
}

/// Generates camera poses `T_world_cam` (camera x right, y down, z forward; frame 0 = identity).
struct MotionGenerator: Sendable {
    var kind: TrajectoryKind
    var route: Route
    var frames: Int
    var fps: Double
    var speed: Double
    /// Laps of a loop or figure eight.
    var laps = 1
    var seed: UInt64

    /// Distance covered by the path (for sizing the world).
    static func distance(frames: Int, fps: Double, speed: Double) -> Double { speed * Double(max(frames - 1, 0)) / fps }

    /// A level camera at `position` heading ψ (rotation about the down axis y).
    static func level(_ position: Vec3, heading: Double) -> SE3 {
        SE3(rotation: SO3.exp(Vec3(0, heading, 0)), translation: position)
    }

    func poses() -> [SE3] {
        let n = frames
        guard n > 0 else { return [] }
        switch kind {
        case .straight:
            return (0..<n).map { i in SE3(translation: Vec3(0, 0, speed * Double(i) / fps)) }
        case .loop, .figureEight:
            guard n > 1 else { return [.identity] }
            let p = route.length
            return (0..<n).map { i in
                if i == 0 || i == n - 1 { return .identity }
                let s = route.sample((p * Double(laps) * Double(i) / Double(n - 1)).truncatingRemainder(dividingBy: p))
                return MotionGenerator.level(s.position, heading: s.heading)
            }
        case .wobble:
            var rng = SplitMix64(state: seed ^ 0x77AB)
            // Amplitudes: translation (m) and rotation (rad); frequencies (Hz) and phases.
            let amps = [0.06, 0.05, 0.04, 0.035, 0.05, 0.025]
            let freqs = (0..<6).map { _ in rng.uniform(0.3, 1.2) }
            let phases = (0..<6).map { _ in rng.uniform(0, 2 * Double.pi) }
            func offset(_ k: Int, _ t: Double) -> Double { amps[k] * (sin(2 * Double.pi * freqs[k] * t + phases[k]) - sin(phases[k])) }
            return (0..<n).map { i in
                let t = Double(i) / fps
                let translation = Vec3(offset(0, t), offset(1, t), speed * t + offset(2, t))
                let rotation = SO3.exp(Vec3(offset(3, t), offset(4, t), offset(5, t)))
                return SE3(rotation: rotation, translation: translation)
            }
        case .reverse:
            // Out and back: the turn takes ~10% of the frames (at least one), on the spot.
            guard n > 2 else { return (0..<n).map { i in SE3(translation: Vec3(0, 0, speed * Double(i) / fps)) } }
            let turn = max(1, n / 10)
            let legs = n - 1 - turn
            let out = legs / 2 + legs % 2, back = legs / 2
            let far = speed * Double(out) / fps
            var poses: [SE3] = []
            for i in 0...out { poses.append(SE3(translation: Vec3(0, 0, speed * Double(i) / fps))) }
            for k in 1..<turn { poses.append(MotionGenerator.level(Vec3(0, 0, far), heading: Double.pi * Double(k) / Double(turn))) }
            for k in 0...back where poses.count < n {
                poses.append(MotionGenerator.level(Vec3(0, 0, far - speed * Double(k) / fps), heading: Double.pi))
            }
            return poses
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
