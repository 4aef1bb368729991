import { ProviderContract } from "@standin/testkit"
import { baselines } from "../src/index.js"

// Baselines call no model: the contract runs without a vendor fake (no fault checks), with the
// testkit's fixture study, pilot and holdout provided through PilotData and HoldoutData.
for (const plugin of baselines) {
  ProviderContract.suite(plugin.descriptor.id, (environment) =>
    plugin.layer({ provider: plugin.descriptor.id, model: environment.model }),
  )
}
