// asl-validator ships no types: the part the tests use.
declare module 'asl-validator' {
  function validator(definition: object, options?: { checkPaths?: boolean; checkArn?: boolean }): {
    isValid: boolean;
    errors: Array<{ 'Error code': string; 'Message': string }>;
  };
  export = validator;
}
