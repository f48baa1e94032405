export * from './core';
export * as aws from './aws';
export * as k8s from './k8s';
export * as guardrails from './guardrails';
