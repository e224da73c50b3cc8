//! `RedisStore`: TO BE WRITTEN (helper redis)
