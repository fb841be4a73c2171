export { activate as default } from "./operatorsSetActive.js";
