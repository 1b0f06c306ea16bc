import Foundation
import Geometry

/// A term `ρ(rᵀ Λ r)` of the objective, over one or more pose variables.
///
/// Factors write their residual and, on request, their Jacobians with respect to right
/// perturbations of each of their variables into caller-provided buffers, so the optimiser can
/// assemble the normal equations without allocating. Further factor types (e.g. the VO's point
/// factors) conform to this protocol.
public protocol Factor<Pose>: Sendable {
    associatedtype Pose: ManifoldPose
    /// Indices of the variables (into the graph's pose array).
    var keys: [Int] { get }
    /// Length of the residual.
    var residualDimension: Int { get }
    /// Row-major `residualDimension²` symmetric information matrix Λ.
    var information: [Double] { get }
    /// Writes the residual and, when `jacobians` is non-nil, for every key `k` the row-major
    /// `residualDimension × Pose.dof` Jacobian at `jacobians[k]`.
    func linearize(_ poses: [Pose], residual: UnsafeMutablePointer<Double>,
                   jacobians: UnsafeMutablePointer<UnsafeMutablePointer<Double>>?)
}

extension Factor {
    /// The squared Mahalanobis norm `rᵀ Λ r` at `poses`.
    public func squaredError(_ poses: [Pose]) -> Double {
        let m = residualDimension
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { r in
            linearize(poses, residual: r.baseAddress!, jacobians: nil)
            return mahalanobis(r.baseAddress!, information, m)
        }
    }
}

@inline(__always) func mahalanobis(_ r: UnsafePointer<Double>, _ info: [Double], _ m: Int) -> Double {
    var s = 0.0
    for a in 0..<m {
        var row = 0.0
        for b in 0..<m { row += info[a * m + b] * r[b] }
        s += r[a] * row
    }
    return s
}

/// A relative-pose measurement `Z` between poses `i` and `j` with information `Λ`:
/// residual `Log(Z⁻¹ Ti⁻¹ Tj)` for SE(3), g2o's (x, y, θ) of `Z⁻¹ Ti⁻¹ Tj` for SE(2).
public struct BetweenFactor<Pose: ManifoldPose>: Factor {
    public let i: Int, j: Int
    public let measured: Pose
    public let information: [Double]

    /// Creates the factor; `information` is row-major `Pose.dof²` and must be symmetric.
    public init(_ i: Int, _ j: Int, measured: Pose, information: [Double]) {
        self.i = i; self.j = j; self.measured = measured; self.information = information
    }

    public var keys: [Int] { [i, j] }
    public var residualDimension: Int { Pose.dof }

    public func linearize(_ poses: [Pose], residual: UnsafeMutablePointer<Double>,
                          jacobians: UnsafeMutablePointer<UnsafeMutablePointer<Double>>?) {
        Pose.betweenResidual(measured: measured, poses[i], poses[j], residual: residual,
                             jacobianI: jacobians?[0], jacobianJ: jacobians?[1])
    }

    /// The squared error with g2o's own error function (`ManifoldPose.g2oError`).
    public func g2oSquaredError(_ poses: [Pose]) -> Double {
        let e = Pose.g2oError(measured: measured, poses[i], poses[j])
        return e.withUnsafeBufferPointer { mahalanobis($0.baseAddress!, information, Pose.dof) }
    }
}

/// An absolute measurement `Z` of pose `i`: residual `r` of `Z⁻¹ Ti` (the between residual from
/// the identity), with information `Λ`.
public struct PriorFactor<Pose: ManifoldPose>: Factor {
    public let i: Int
    public let measured: Pose
    public let information: [Double]

    public init(_ i: Int, measured: Pose, information: [Double]) {
        self.i = i; self.measured = measured; self.information = information
    }
    public var keys: [Int] { [i] }
    public var residualDimension: Int { Pose.dof }

    public func linearize(_ poses: [Pose], residual: UnsafeMutablePointer<Double>,
                          jacobians: UnsafeMutablePointer<UnsafeMutablePointer<Double>>?) {
        Pose.betweenResidual(measured: measured, .identity, poses[i], residual: residual,
                             jacobianI: nil, jacobianJ: jacobians?[0])
    }
}

/// A robust kernel `ρ(s)` applied to the squared Mahalanobis error `s`.
public enum RobustKernel: Sendable, Equatable {
    /// Plain least squares, `ρ(s) = s`.
    case none
    /// `ρ(s) = s` for `s ≤ δ²`, `2δ√s − δ²` beyond.
    case huber(delta: Double)
    /// `ρ(s) = δ² log(1 + s/δ²)`.
    case cauchy(delta: Double)

    /// `ρ(s)`.
    public func rho(_ s: Double) -> Double {
        switch self {
        case .none: s
        case let .huber(d): s <= d * d ? s : 2 * d * s.squareRoot() - d * d
        case let .cauchy(d): d * d * Foundation.log(1 + s / (d * d))
        }
    }
    /// `ρ'(s)`, the weight of the term in iteratively reweighted least squares.
    public func weight(_ s: Double) -> Double {
        switch self {
        case .none: 1
        case let .huber(d): s <= d * d ? 1 : d / s.squareRoot()
        case let .cauchy(d): 1 / (1 + s / (d * d))
        }
    }
}
