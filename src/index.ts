// Public surface of the xsnap package: the generated constructs and the types users need.
export {};
