export * from "./fakes.js"
export {
  contractExamples,
  FinetunerContract,
  type FinetunerContractOptions,
  type FinetunerEnvironment,
} from "./finetuner-contract.js"
export * from "./fixture-study.js"
export {
  answerProblems,
  type ContractEnvironment,
  type ContractOptions,
  type MakeContractLayer,
  ProviderContract,
  plantedKey,
} from "./provider-contract.js"
