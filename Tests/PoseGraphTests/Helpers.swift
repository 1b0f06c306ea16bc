import Geometry
import PoseGraph
import TestSupport

extension SplitMix {
    mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a..<b, using: &self) }
    mutating func vec6(_ scale: Double, rotation: Double) -> Vec6 {
        Vec6(Vec3(uniform(-scale, scale), uniform(-scale, scale), uniform(-scale, scale)),
             Vec3(uniform(-rotation, rotation), uniform(-rotation, rotation), uniform(-rotation, rotation)))
    }
    mutating func se3(_ scale: Double = 2, rotation: Double = 1.5) -> SE3 { SE3.exp(vec6(scale, rotation: rotation)) }
    mutating func se2(_ scale: Double = 2) -> SE2 {
        SE2(x: uniform(-scale, scale), y: uniform(-scale, scale), theta: uniform(-3, 3))
    }
}

/// Row-major identity scaled by `s`.
func scaledIdentity(_ n: Int, _ s: Double) -> [Double] {
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n { m[i * n + i] = s }
    return m
}

/// A random symmetric positive-definite matrix `A Aᵀ + n I` (row-major).
func randomInformation(_ n: Int, _ rng: inout SplitMix) -> [Double] {
    let a = (0..<(n * n)).map { _ in rng.uniform(-1, 1) }
    var m = scaledIdentity(n, Double(n))
    for i in 0..<n { for j in 0..<n { for k in 0..<n { m[i * n + j] += a[i * n + k] * a[j * n + k] } } }
    return m
}

/// A consistent graph: true poses and exact measurements along a chain plus loop closures.
func consistentGraph<P: ManifoldPose>(truth: [P], loops: [(Int, Int)], information: [Double]) -> FactorGraph<P> {
    var factors: [any Factor<P>] = []
    for k in 1..<truth.count {
        factors.append(BetweenFactor(k - 1, k, measured: truth[k - 1].inverse * truth[k], information: information))
    }
    for (i, j) in loops {
        factors.append(BetweenFactor(i, j, measured: truth[i].inverse * truth[j], information: information))
    }
    return FactorGraph(poses: truth, factors: factors)
}

func maxPoseError(_ a: [SE3], _ b: [SE3]) -> Double {
    zip(a, b).map { ($0.inverse * $1).log.norm }.max() ?? 0
}
