/** The vocabulary every layer shares; imports nothing outside model/. */
export * from "./address";
export * from "./assert-never";
export * from "./canonical";
export * from "./desired";
export * from "./diagnostic";
export * from "./plan";
export * from "./values";
export * from "./graph";
export * from "./bytes";
