from entente.exports.tests.instance import empty_instance  # noqa: F401
