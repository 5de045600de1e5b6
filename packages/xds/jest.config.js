module.exports = { ...require('@envoy-fleet/config/jest') };
