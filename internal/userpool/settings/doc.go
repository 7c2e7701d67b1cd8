// Package settings stores the pool settings Cognate keeps but does not act
// on: the log delivery configuration (SetLogDeliveryConfiguration,
// GetLogDeliveryConfiguration) and the risk configuration of a pool or app
// client (SetRiskConfiguration, DescribeRiskConfiguration). They are
// validated and returned as set; no logs are shipped and no sign-in is
// scored.
//
// Each setting is a store item of its own kind (core.LogDeliveryKind,
// core.RiskKind), so DeletePool removes them with the pool.
package settings
