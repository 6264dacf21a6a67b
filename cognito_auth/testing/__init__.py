"""A strict local Cognito for tests and demos: moto's server plus what moto leaves out."""
